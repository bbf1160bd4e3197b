import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { addToCart, assertMoneyMatchesOrders, assertStockInvariants, createBuyer, stockedProducts, stockRows, type Buyer } from './helpers/shop.ts';
import { FAST_PAYMENTS } from './helpers/shop.ts';
import { describeEach, NEEDS_POSTGRES } from './helpers/suites.ts';

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

// Real concurrency needs PostgreSQL (PGlite has one connection); without TEST_DATABASE_URL this suite is skipped.
describeEach(CONCURRENT_BACKENDS, NEEDS_POSTGRES, 'checkout under concurrency over real HTTP (%s, pooled connections)', (backend) => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await createTestApp(backend, { ...FAST_PAYMENTS, DEFAULT_PURCHASE_LIMIT: '100' }, { poolSize: 20 });
    // A backlog large enough that 1,000 simultaneous connects queue instead of being reset.
    baseUrl = await t.app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  }, 300_000);
  afterAll(async () => t?.close());

  const post = (buyer: Buyer, key: string) =>
    fetch(`${baseUrl}/v1/checkout`, {
      method: 'POST',
      headers: { ...buyer.auth, 'idempotency-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ shipping_address_id: buyer.addressId, payment_method_id: buyer.paymentMethodId }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

  it('1,000 customers racing for the last 5 units: exactly 5 orders and 995 out-of-stock answers', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyers = await pool(16, Array.from({ length: 1000 }, () => async () => {
      const buyer = await createBuyer(t.app);
      await addToCart(t.app, buyer, productId!, 1);
      return buyer;
    }));

    const answers = await Promise.all(buyers.map((buyer) => post(buyer, newId())));
    const placed = answers.filter((a) => a.status === 201);
    const soldOut = answers.filter((a) => a.status === 409 && a.body.error?.code === 'out_of_stock');
    expect(placed).toHaveLength(5);
    expect(soldOut).toHaveLength(995);
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ total_stock: 5, sold_stock: 5, reserved_stock: 0 })]);
    const orders = await t.ctx.databases.orders.selectFrom('order_items').selectAll().where('product_id', '=', productId!).execute();
    expect(orders).toHaveLength(5);
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);
  }, 300_000);

  it('50 concurrent requests with one idempotency key: one order, one capture, 50 identical answers', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 10 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 2);
    const key = newId();
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(buyer, key)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    const bodies = new Set(answers.map((a) => JSON.stringify(a.body)));
    expect(bodies.size).toBe(1);
    const orders = await t.ctx.databases.orders.selectFrom('orders').selectAll().where('customer_id', '=', buyer.accountId).execute();
    expect(orders).toHaveLength(1);
    const captures = await t.ctx.databases.orders.selectFrom('sandbox_psp_operations').selectAll().where('idempotency_key', 'like', `${orders[0]!.id}%`).where('operation', '=', 'capture').execute();
    expect(captures).toHaveLength(1);
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ sold_stock: 2, reserved_stock: 0 })]);
  }, 120_000);
});
