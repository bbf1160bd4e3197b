import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedCrash } from '../src/modules/checkout/index.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, errorCode, ManualClock, type TestApp } from './helpers/app.ts';
import { BACKENDS, CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { addToCart, assertMoneyMatchesOrders, assertStockInvariants, checkout, createBuyer, FAST_PAYMENTS, stockedProducts, withoutRequestId } from './helpers/shop.ts';

const LEASE_SECONDS = 30;

/** The three promises of the buy path that retries and races used to break (issue 12). */
describe.each(BACKENDS)('checkout promises under retries (%s)', (backend) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-25T12:00:00Z'));
  let crashAfter: string | undefined;

  beforeAll(async () => {
    t = await createTestApp(
      backend,
      { ...FAST_PAYMENTS, SAGA_STALE_SECONDS: String(LEASE_SECONDS) },
      {
        clock,
        checkoutFaults: {
          afterStep(step) {
            if (step !== crashAfter) return;
            crashAfter = undefined;
            throw new SimulatedCrash(step);
          },
        },
      },
    );
  });
  afterAll(async () => {
    if (!t) return;
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);
    await t.close();
  });

  const paymentsOf = (accountId: string) => t.ctx.databases.orders.selectFrom('payments').selectAll().where('account_id', '=', accountId).execute();
  const ordersOf = (accountId: string) => t.ctx.databases.orders.selectFrom('orders').selectAll().where('customer_id', '=', accountId).execute();

  it('replays the sold-out pre-filter’s refusal to a retry of the same key after stock returns, and charges nothing', async () => {
    const { productIds: [productId], warehouseIds: [warehouseId] } = await stockedProducts(t.ctx, { stock: 1 });
    const [first, second, late] = [await createBuyer(t.app), await createBuyer(t.app), await createBuyer(t.app)];
    for (const buyer of [first, second, late]) await addToCart(t.app, buyer!, productId!, 1);
    expect((await checkout(t.app, first!)).statusCode).toBe(201);
    expect(errorCode(await checkout(t.app, second!))).toBe('out_of_stock');

    const key = newId();
    const filtered = await checkout(t.app, late!, key);
    expect([filtered.statusCode, errorCode(filtered)]).toEqual([409, 'out_of_stock']);

    // Stock comes back and the flag is gone: the same attempt still has its first answer.
    await t.ctx.services.inventory.setTotalStock(productId!, warehouseId!, 5);
    await t.ctx.cache.delete(`sold-out:${productId}`);
    const retry = await checkout(t.app, late!, key);
    expect(retry.statusCode).toBe(409);
    expect(withoutRequestId(retry.json())).toEqual(withoutRequestId(filtered.json()));
    expect(await paymentsOf(late!.accountId)).toEqual([]);

    // A new attempt (new key) buys.
    expect((await checkout(t.app, late!)).statusCode).toBe(201);
  });

  it('replays a cart refusal (empty cart, changed price) to a retry of the same key and body', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { price: 1000, stock: 5 });
    const buyer = await createBuyer(t.app);
    const emptyKey = newId();
    expect(errorCode(await checkout(t.app, buyer, emptyKey))).toBe('cart_empty');
    await addToCart(t.app, buyer, productId!, 1);
    const replayed = await checkout(t.app, buyer, emptyKey);
    expect([replayed.statusCode, errorCode(replayed)]).toEqual([422, 'cart_empty']);
    expect(await ordersOf(buyer.accountId)).toEqual([]);

    const admin = { accountId: newId(), role: 'admin' as const, sessionId: newId() };
    await t.ctx.services.catalog.updateProduct(admin, productId!, { price: { amount: 1200, currency: 'USD' } });
    const priceKey = newId();
    const changed = await checkout(t.app, buyer, priceKey);
    expect(errorCode(changed)).toBe('price_changed');
    await t.ctx.services.catalog.updateProduct(admin, productId!, { price: { amount: 1000, currency: 'USD' } });
    const again = await checkout(t.app, buyer, priceKey);
    expect(again.statusCode).toBe(409);
    expect(withoutRequestId(again.json())).toEqual(withoutRequestId(changed.json()));
    expect(await paymentsOf(buyer.accountId)).toEqual([]);

    // Confirming the new total is a different body: the key may still carry it.
    await t.ctx.services.catalog.updateProduct(admin, productId!, { price: { amount: 1200, currency: 'USD' } });
    const confirmed = await checkout(t.app, buyer, priceKey, { expected_total: { amount: 1200, currency: 'USD' } });
    expect(confirmed.statusCode).toBe(201);
    expect(withoutRequestId((await checkout(t.app, buyer, priceKey)).json())).toEqual(withoutRequestId(changed.json()));
  });

  it('lets a retry take over only the abandoned checkout of its own key, leaving older ones to the recovery job', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
    const [other, buyer] = [await createBuyer(t.app), await createBuyer(t.app)];
    await addToCart(t.app, other!, productId!, 1);
    await addToCart(t.app, buyer!, productId!, 1);
    const otherKey = newId();
    crashAfter = 'captured';
    expect((await checkout(t.app, other!, otherKey)).statusCode).toBe(500);
    clock.advance(1000);
    const key = newId();
    crashAfter = 'captured';
    expect((await checkout(t.app, buyer!, key)).statusCode).toBe(500);
    clock.advance((LEASE_SECONDS + 1) * 1000);

    const rowOf = (k: string) => t.ctx.databases.orders.selectFrom('checkouts').selectAll().where('idempotency_key', '=', k).executeTakeFirstOrThrow();
    const before = await rowOf(otherKey);
    const retry = await checkout(t.app, buyer!, key);
    expect(retry.statusCode).toBe(201);
    const untouched = await rowOf(otherKey);
    expect({ state: untouched.state, recoveries: untouched.recoveries, lease: untouched.lease_expires_at }).toEqual({
      state: before.state,
      recoveries: before.recoveries,
      lease: before.lease_expires_at,
    });

    expect(await t.ctx.services.checkout.recoverAbandoned()).toBeGreaterThanOrEqual(1);
    expect((await checkout(t.app, other!, otherKey)).statusCode).toBe(201);
  });
});

describe.each(CONCURRENT_BACKENDS)('concurrent cancels (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, FAST_PAYMENTS, { poolSize: 10 });
  });
  afterAll(async () => {
    if (!t) return;
    await assertStockInvariants(t);
    await t.close();
  });

  it('answers two simultaneous cancels of one order both with 200 and the cancelled order', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 100 });
    const buyer = await createBuyer(t.app);
    for (let round = 0; round < 8; round++) {
      await addToCart(t.app, buyer, productId!, 1);
      const { order_id: orderId } = (await checkout(t.app, buyer)).json();
      const answers = await Promise.all(
        [0, 1, 2].map(() => t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth })),
      );
      expect(answers.map((a) => [a.statusCode, a.json().order?.status])).toEqual([
        [200, 'cancelled'],
        [200, 'cancelled'],
        [200, 'cancelled'],
      ]);
    }
    const [stock] = await t.ctx.databases.inventory.selectFrom('stock_levels').selectAll().where('product_id', '=', productId!).execute();
    expect(stock).toMatchObject({ reserved_stock: 0, sold_stock: 0 });
  });
});
