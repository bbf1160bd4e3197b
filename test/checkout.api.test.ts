import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, errorCode, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import {
  addToCart,
  assertMoneyMatchesOrders,
  assertStockInvariants,
  checkout,
  createBuyer,
  FAST_PAYMENTS,
  withoutRequestId,
  createWarehouse,
  stockedProducts,
  stockRows,
  WAREHOUSE_ZIPS,
} from './helpers/shop.ts';


describe.each(BACKENDS)('checkout over HTTP (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, FAST_PAYMENTS);
  });
  afterAll(async () => {
    if (t) {
      await assertStockInvariants(t);
      await assertMoneyMatchesOrders(t);
      await t.close();
    }
  });

  const countRows = async (db: 'orders' | 'inventory', table: string) =>
    Number((await t.ctx.databases[db].selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('places an order: stock sold, payment captured, cart emptied, event recorded', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { price: 2500, stock: 10 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 3);

    const page = await t.app.inject({ method: 'GET', url: `/v1/products/${productId}`, headers: buyer.auth });
    expect(page.json().delivery_estimate).toMatchObject({ carrier: 'Parcelway Ground', to_postal_code: '10001' });
    expect(page.headers['cache-control']).toMatch(/^private/);
    const anonymous = await t.app.inject({ method: 'GET', url: `/v1/products/${productId}` });
    expect(anonymous.json().delivery_estimate).toBeUndefined();

    const response = await checkout(t.app, buyer);
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.estimated_delivery).toBe(page.json().delivery_estimate.estimated_delivery);
    expect(body).toMatchObject({ status: 'placed', total_charged: { amount: 7500, currency: 'USD' } });
    expect(body.estimated_delivery).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ total_stock: 10, reserved_stock: 0, sold_stock: 3 })]);
    const order = (await t.app.inject({ method: 'GET', url: `/v1/orders/${body.order_id}`, headers: buyer.auth })).json();
    expect(order.order).toMatchObject({ status: 'placed', total: { amount: 7500 } });
    expect(order.items).toEqual([expect.objectContaining({ product_id: productId, quantity: 3, unit_price: { amount: 2500, currency: 'USD' } })]);
    expect(order.status_history).toEqual([expect.objectContaining({ from: null, to: 'placed' })]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/cart', headers: buyer.auth })).json().items).toEqual([]);
    const events = await t.ctx.databases.orders.selectFrom('outbox').selectAll().where('aggregate_id', '=', body.order_id).execute();
    expect(events.map((e) => e.type)).toEqual(['orders.order.placed']);
    const list = (await t.app.inject({ method: 'GET', url: '/v1/orders', headers: buyer.auth })).json();
    expect(list.orders.map((o: { id: string }) => o.id)).toEqual([body.order_id]);
  });

  it('prefers one warehouse for the whole order and splits a line only when it must', async () => {
    const east = await createWarehouse(t.ctx, WAREHOUSE_ZIPS.east);
    const west = await createWarehouse(t.ctx, WAREHOUSE_ZIPS.west);
    const { productIds: [a, b] } = await stockedProducts(t.ctx, { products: 2, stock: 0, warehouseIds: [east.id, west.id] });
    await t.ctx.services.inventory.setTotalStock(a!, east.id, 5);
    await t.ctx.services.inventory.setTotalStock(a!, west.id, 5);
    await t.ctx.services.inventory.setTotalStock(b!, west.id, 5);
    const buyer = await createBuyer(t.app); // New York: east is nearer, but only west has both
    await addToCart(t.app, buyer, a!, 1);
    await addToCart(t.app, buyer, b!, 1);
    const placed = (await checkout(t.app, buyer)).json();
    const items = (await t.app.inject({ method: 'GET', url: `/v1/orders/${placed.order_id}`, headers: buyer.auth })).json().items;
    expect(new Set(items.map((i: { warehouse_id: string }) => i.warehouse_id))).toEqual(new Set([west.id]));

    const splitter = await createBuyer(t.app);
    await addToCart(t.app, splitter, a!, 6); // 5 left in east + 4 in west
    const split = (await checkout(t.app, splitter)).json();
    const splitItems = (await t.app.inject({ method: 'GET', url: `/v1/orders/${split.order_id}`, headers: splitter.auth })).json().items;
    expect(splitItems.map((i: { warehouse_id: string; quantity: number }) => [i.warehouse_id, i.quantity]).sort()).toEqual(
      [[east.id, 5], [west.id, 1]].sort(),
    );
  });

  it('answers the same key and body with the same answer, and a different body with 422', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx);
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!);
    const key = newId();
    const first = await checkout(t.app, buyer, key);
    const second = await checkout(t.app, buyer, key);
    expect(second.statusCode).toBe(first.statusCode);
    expect(withoutRequestId(second.json())).toEqual(withoutRequestId(first.json()));
    const other = await createBuyer(t.app);
    const reused = await checkout(t.app, buyer, key, { shipping_address_id: other.addressId });
    expect(reused.statusCode).toBe(422);
    expect(errorCode(reused)).toBe('idempotency_key_reused');
    expect(await countRows('orders', 'orders')).toBeGreaterThan(0);
    const orders = await t.ctx.databases.orders.selectFrom('orders').selectAll().where('customer_id', '=', buyer.accountId).execute();
    expect(orders).toHaveLength(1);
  });

  it('refuses a checkout without an Idempotency-Key, writing nothing, and with an empty cart, keeping only the answer', async () => {
    const buyer = await createBuyer(t.app);
    const before = await countRows('orders', 'checkouts');
    const noKey = await t.app.inject({
      method: 'POST',
      url: '/v1/checkout',
      headers: buyer.auth,
      payload: { shipping_address_id: buyer.addressId, payment_method_id: buyer.paymentMethodId },
    });
    expect(noKey.statusCode).toBe(400);
    expect(errorCode(noKey)).toBe('idempotency_key_required');
    const empty = await checkout(t.app, buyer);
    expect(empty.statusCode).toBe(422);
    expect(errorCode(empty)).toBe('cart_empty');
    const kept = await t.ctx.databases.orders.selectFrom('checkouts').selectAll().where('customer_id', '=', buyer.accountId).execute();
    expect(kept).toEqual([expect.objectContaining({ state: 'refused', lines: null, allocations: null, outcome: expect.objectContaining({ code: 'cart_empty', kind: 'unprocessable' }) })]);
    expect(await countRows('orders', 'checkouts')).toBe(before + 1);
  });

  it('answers price_changed with the new total and accepts it once confirmed', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { price: 1000, stock: 5 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 2);
    const admin = { accountId: newId(), role: 'admin' as const, sessionId: newId() };
    await t.ctx.services.catalog.updateProduct(admin, productId!, { price: { amount: 1200, currency: 'USD' } });

    const key = newId();
    const changed = await checkout(t.app, buyer, key);
    expect(changed.statusCode).toBe(409);
    expect(changed.json().error).toMatchObject({
      code: 'price_changed',
      details: { total: { amount: 2400, currency: 'USD' }, changes: [{ product_id: productId, old_unit_price: 1000, new_unit_price: 1200 }] },
    });
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ reserved_stock: 0, sold_stock: 0 })]);

    const stale = await checkout(t.app, buyer, key, { expected_total: { amount: 2000, currency: 'USD' } });
    expect(stale.statusCode).toBe(409);
    const accepted = await checkout(t.app, buyer, key, { expected_total: { amount: 2400, currency: 'USD' } });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().total_charged).toEqual({ amount: 2400, currency: 'USD' });
  });

  it('answers out_of_stock and holds nothing when stock runs short', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 2 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 3);
    const response = await checkout(t.app, buyer);
    expect(response.statusCode).toBe(409);
    expect(errorCode(response)).toBe('out_of_stock');
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ reserved_stock: 0, sold_stock: 0 })]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/cart', headers: buyer.auth })).json().items).toHaveLength(1);

    // Two units are still there: a buyer of two is not turned away by the sold-out pre-filter.
    const modest = await createBuyer(t.app);
    await addToCart(t.app, modest, productId!, 2);
    expect((await checkout(t.app, modest)).statusCode).toBe(201);
  });

  it('turns buyers of a sold-out product away at the cache, keeping only the answer', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 1 });
    const [first, second, third] = [await createBuyer(t.app), await createBuyer(t.app), await createBuyer(t.app)];
    for (const buyer of [first, second, third]) await addToCart(t.app, buyer!, productId!, 1);
    expect((await checkout(t.app, first!)).statusCode).toBe(201);
    const loser = await checkout(t.app, second!);
    expect([loser.statusCode, errorCode(loser)]).toEqual([409, 'out_of_stock']);
    const before = await countRows('orders', 'checkouts');
    const filtered = await checkout(t.app, third!);
    expect([filtered.statusCode, errorCode(filtered)]).toEqual([409, 'out_of_stock']);
    const kept = await t.ctx.databases.orders.selectFrom('checkouts').select(['state', 'allocations']).where('customer_id', '=', third!.accountId).execute();
    expect(kept).toEqual([{ state: 'refused', allocations: null }]);
    expect(await countRows('orders', 'checkouts')).toBe(before + 1);
  });

  it.each([
    ['tok_decline', 402, 'payment_declined'],
    ['tok_timeout', 503, 'payment_unavailable'],
    ['tok_flaky', 201, undefined],
    ['tok_slow', 201, undefined],
  ])('with %s answers %i and leaves stock and money consistent', async (token, status, code) => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 4 });
    const buyer = await createBuyer(t.app, token);
    await addToCart(t.app, buyer, productId!, 2);
    const response = await checkout(t.app, buyer);
    expect(response.statusCode).toBe(status);
    const [row] = await stockRows(t, productId!);
    if (code) {
      expect(errorCode(response)).toBe(code);
      expect(row).toMatchObject({ reserved_stock: 0, sold_stock: 0 });
      expect(await t.ctx.databases.orders.selectFrom('orders').selectAll().where('customer_id', '=', buyer.accountId).execute()).toEqual([]);
      expect((await t.app.inject({ method: 'GET', url: '/v1/cart', headers: buyer.auth })).json().items).toHaveLength(1);
    } else {
      expect(row).toMatchObject({ reserved_stock: 0, sold_stock: 2 });
    }
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);
  });

  it('enforces the per-customer purchase limit', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 20, purchaseLimit: 2 });
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 2);
    expect((await checkout(t.app, buyer)).statusCode).toBe(201);
    await addToCart(t.app, buyer, productId!, 1);
    const over = await checkout(t.app, buyer);
    expect(over.statusCode).toBe(422);
    expect(errorCode(over)).toBe('purchase_limit_exceeded');
  });

  it('cancels before packing: units back, money back, idempotent; another customer cannot', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
    const buyer = await createBuyer(t.app);
    const stranger = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 2);
    const { order_id: orderId } = (await checkout(t.app, buyer)).json();

    for (const [method, url] of [['GET', `/v1/orders/${orderId}`], ['POST', `/v1/orders/${orderId}/cancel`]] as const) {
      const response = await t.app.inject({ method, url, headers: stranger.auth });
      expect(response.statusCode).toBe(404);
    }
    const cancelled = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().order).toMatchObject({ status: 'cancelled', refund_status: 'done' });
    const again = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth });
    expect(again.statusCode).toBe(200);
    expect(again.json().order.status).toBe('cancelled');
    expect(await stockRows(t, productId!)).toEqual([expect.objectContaining({ reserved_stock: 0, sold_stock: 0 })]);
    const psp = await t.ctx.databases.orders.selectFrom('sandbox_psp_operations').selectAll().where('idempotency_key', '=', `${orderId}:authorize`).executeTakeFirstOrThrow();
    expect(psp.outcome).toBe('refunded');
  });

  it('keeps customers out of each other’s addresses and payment methods at checkout', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx);
    const buyer = await createBuyer(t.app);
    const victim = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!);
    const withTheirAddress = await checkout(t.app, buyer, newId(), { shipping_address_id: victim.addressId });
    expect(withTheirAddress.statusCode).toBe(404);
    const withTheirCard = await checkout(t.app, buyer, newId(), { payment_method_id: victim.paymentMethodId });
    expect(withTheirCard.statusCode).toBe(404);
    expect(errorCode(withTheirCard)).toBe('payment_method_not_found');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/payment-methods', headers: buyer.auth });
    expect(listed.json().payment_methods.map((m: { id: string }) => m.id)).toEqual([buyer.paymentMethodId]);
  });
});
