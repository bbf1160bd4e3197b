import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCrash } from '../src/modules/checkout/index.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, ManualClock, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { addToCart, assertMoneyMatchesOrders, assertStockInvariants, checkout, createBuyer, stockedProducts, stockRows } from './helpers/shop.ts';
import { FAST_PAYMENTS, withoutRequestId } from './helpers/shop.ts';

const LEASE_SECONDS = 30;

describe.each(BACKENDS)('checkout crash recovery (%s)', (backend) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-25T12:00:00Z'));
  let crashAfter: string | undefined;
  let onStep: ((step: string) => Promise<void>) | undefined;

  beforeAll(async () => {
    t = await createTestApp(
      backend,
      { ...FAST_PAYMENTS, SAGA_STALE_SECONDS: String(LEASE_SECONDS), RESERVATION_TTL_SECONDS: '600' },
      {
        clock,
        checkoutFaults: {
          async afterStep(step) {
            await onStep?.(step);
            if (step === crashAfter) {
              crashAfter = undefined;
              throw new SimulatedCrash(step);
            }
          },
        },
      },
    );
  });
  afterAll(async () => t?.close());

  const expireLeases = () => clock.advance((LEASE_SECONDS + 1) * 1000);

  // What the customer should end up with when the process dies right after each step.
  it.each([
    ['reserved', 503, 'checkout_interrupted'],
    ['authorized', 201, undefined],
    ['captured', 201, undefined],
    ['confirmed', 201, undefined],
    ['placed', 201, undefined],
    ['compensating', 402, 'payment_declined'],
  ])('after a crash once %s, recovery leaves a coherent state and the retry gets it', async (step, status, code) => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyer = await createBuyer(t.app, step === 'compensating' ? 'tok_decline' : 'tok_visa');
    await addToCart(t.app, buyer, productId!, 2);
    const key = newId();

    crashAfter = step;
    const crashed = await checkout(t.app, buyer, key);
    expect(crashed.statusCode).toBe(500);
    const row = await t.ctx.databases.orders.selectFrom('checkouts').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    expect(row.state).toBe(step);

    expireLeases();
    expect(await t.ctx.services.checkout.recoverAbandoned()).toBeGreaterThanOrEqual(1);
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);

    const retry = await checkout(t.app, buyer, key);
    expect(retry.statusCode).toBe(status);
    const [stock] = await stockRows(t, productId!);
    if (status === 201) {
      expect(retry.json().order_id).toBe(row.id);
      expect(stock).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
      expect((await t.app.inject({ method: 'GET', url: '/v1/cart', headers: buyer.auth })).json().items).toEqual([]);
    } else {
      expect(retry.json().error.code).toBe(code);
      expect(stock).toMatchObject({ reserved_stock: 0, sold_stock: 0 });
    }
    const again = await checkout(t.app, buyer, key);
    expect(withoutRequestId(again.json())).toEqual(withoutRequestId(retry.json()));
  });

  it('lets the customer’s retry finish an abandoned checkout without waiting for the recovery job', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 1);
    const key = newId();
    crashAfter = 'captured';
    expect((await checkout(t.app, buyer, key)).statusCode).toBe(500);
    expireLeases();
    const retry = await checkout(t.app, buyer, key);
    expect(retry.statusCode).toBe(201);
    await assertMoneyMatchesOrders(t);
  });

  it('re-reserves when the reservation expired during payment, and refunds if the stock is gone', async () => {
    const { productIds: [productId], warehouseIds: [warehouseId] } = await stockedProducts(t.ctx, { stock: 3 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 2);
    onStep = async (step) => {
      if (step !== 'authorized') return;
      clock.advance(601_000);
      await t.ctx.services.inventory.expireDue();
    };
    const late = await checkout(t.app, buyer);
    expect(late.statusCode).toBe(201);
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ reserved_stock: 0, sold_stock: 2 })]);

    const unlucky = await createBuyer(t.app);
    await addToCart(t.app, unlucky, productId!, 1);
    onStep = async (step) => {
      if (step !== 'authorized') return;
      clock.advance(601_000);
      await t.ctx.services.inventory.expireDue();
      await t.ctx.services.inventory.setTotalStock(productId!, warehouseId!, 2);
    };
    const lost = await checkout(t.app, unlucky);
    onStep = undefined;
    expect(lost.statusCode).toBe(409);
    expect(lost.json().error.code).toBe('out_of_stock');
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);
  });
});
