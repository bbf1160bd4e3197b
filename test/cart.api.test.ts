import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, errorCode, ManualClock, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';

const DAY = 86_400_000;
const admin = { accountId: newId(), role: 'admin' as const };

function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect({ status: response.statusCode, code: errorCode(response) }).toEqual({ status, code });
}

describe.each(BACKENDS)('cart over HTTP (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, { CART_MAX_LINES: '3', CART_MAX_QUANTITY: '10' });
  });
  afterAll(async () => t?.close());

  const getCart = async (s: Session) => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/cart', headers: s.auth });
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  const add = (s: Session, payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: s.auth, payload: payload as object });
  const put = (s: Session, productId: string, payload: unknown) =>
    t.app.inject({ method: 'PUT', url: `/v1/cart/items/${productId}`, headers: s.auth, payload: payload as object });
  const products = async (n: number, options: Parameters<typeof createCatalogFixture>[1] = {}) =>
    (await createCatalogFixture(t.ctx, { products: n, ...options })).productIds;

  it('adds, sums, changes, removes and clears lines, with server-side totals', async () => {
    const s = await registerCustomer(t.app);
    expect(await getCart(s)).toEqual({ currency: null, items: [], subtotal: { amount: 0, currency: null }, item_count: 0, updated_at: null });
    const [kettle, mug] = await products(2, { price: 1999 });
    const [pan] = await products(1, { price: 350, titlePrefix: 'Pan' });

    const first = await add(s, { product_id: kettle, quantity: 2 });
    expect(first.statusCode).toBe(201);
    expect(first.json().items).toEqual([
      expect.objectContaining({
        product_id: kettle,
        quantity: 2,
        unit_price: { amount: 1999, currency: 'USD' },
        line_total: { amount: 3998, currency: 'USD' },
        product_snapshot: expect.objectContaining({ title: 'Fixture product 1', image: null }),
      }),
    ]);
    await add(s, { product_id: mug, quantity: 1 });
    const summed = (await add(s, { product_id: kettle, quantity: 3 })).json();
    expect(summed.items.map((l: { product_id: string; quantity: number }) => [l.product_id, l.quantity])).toEqual([
      [kettle, 5],
      [mug, 1],
    ]);
    await add(s, { product_id: pan, quantity: 4 });
    const cart = await getCart(s);
    expect(cart.subtotal).toEqual({ amount: 5 * 1999 + 1999 + 4 * 350, currency: 'USD' });
    expect(cart.item_count).toBe(10);
    expect(cart.currency).toBe('USD');

    const changed = await put(s, mug!, { quantity: 3 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().subtotal.amount).toBe(5 * 1999 + 3 * 1999 + 4 * 350);
    const removed = (await put(s, kettle!, { quantity: 0 })).json();
    expect(removed.items.map((l: { product_id: string }) => l.product_id)).toEqual([mug, pan]);
    expect(removed.subtotal.amount).toBe(3 * 1999 + 4 * 350);

    expect((await t.app.inject({ method: 'DELETE', url: '/v1/cart', headers: s.auth })).statusCode).toBe(204);
    expect((await getCart(s)).items).toEqual([]);
  });

  it('takes prices from the catalog, never from the client', async () => {
    const s = await registerCustomer(t.app);
    const [id] = await products(1, { price: 1000 });
    const forged = await add(s, { product_id: id, quantity: 1, unit_price: { amount: 1, currency: 'USD' } });
    expectError(forged, 400, 'validation_failed');
    expect((await getCart(s)).items).toEqual([]);

    await add(s, { product_id: id, quantity: 1 });
    await t.ctx.services.catalog.updateProduct(admin, id!, { price: { amount: 1500, currency: 'USD' }, title: 'Renamed' });
    // The line keeps the price it was added at until it is changed again; checkout re-prices anyway.
    expect((await getCart(s)).items[0]).toMatchObject({ unit_price: { amount: 1000 }, product_snapshot: { title: 'Fixture product 1' } });
    const repriced = (await add(s, { product_id: id, quantity: 1 })).json();
    expect(repriced.items[0]).toMatchObject({ quantity: 2, unit_price: { amount: 1500 }, line_total: { amount: 3000 }, product_snapshot: { title: 'Renamed' } });
  });

  it('refuses each limit with its code and changes nothing', async () => {
    const s = await registerCustomer(t.app);
    const [a, b, c, d] = await products(4);
    const [limited] = await products(1, { purchaseLimit: 2 });
    const [euro] = await products(1, { currency: 'EUR' });
    for (const id of [a, b, c]) await add(s, { product_id: id, quantity: 9 });
    const before = await getCart(s);

    const refusals: [LightMyRequestResponse, number, string][] = [
      [await add(s, { product_id: d, quantity: 1 }), 422, 'cart_full'],
      [await add(s, { product_id: a, quantity: 2 }), 422, 'quantity_limit_exceeded'],
      [await put(s, a!, { quantity: 11 }), 422, 'quantity_limit_exceeded'],
      [await add(s, { product_id: newId(), quantity: 1 }), 404, 'product_not_found'],
      [await put(s, d!, { quantity: 1 }), 404, 'cart_item_not_found'],
      [await put(s, d!, { quantity: 0 }), 404, 'cart_item_not_found'],
    ];
    for (const [response, status, code] of refusals) expectError(response, status, code);
    expect(await getCart(s)).toEqual(before);

    const other = await registerCustomer(t.app);
    await add(other, { product_id: limited, quantity: 2 });
    const otherBefore = await getCart(other);
    expectError(await add(other, { product_id: limited, quantity: 1 }), 422, 'purchase_limit_exceeded');
    expectError(await put(other, limited!, { quantity: 3 }), 422, 'purchase_limit_exceeded');
    expectError(await add(other, { product_id: euro, quantity: 1 }), 422, 'currency_mismatch');
    expect(await getCart(other)).toEqual(otherBefore);
  });

  it('refuses inactive and suspended products', async () => {
    const s = await registerCustomer(t.app);
    const [inactive] = await products(1, { status: 'inactive' });
    const [later] = await products(1);
    expectError(await add(s, { product_id: inactive, quantity: 1 }), 422, 'product_unavailable');
    await add(s, { product_id: later, quantity: 1 });
    await t.ctx.services.catalog.updateProduct(admin, later!, { status: 'suspended' });
    expectError(await add(s, { product_id: later, quantity: 1 }), 422, 'product_unavailable');
    expectError(await put(s, later!, { quantity: 2 }), 422, 'product_unavailable');
    expect((await getCart(s)).items).toEqual([expect.objectContaining({ product_id: later, quantity: 1 })]);
    // Taking an unavailable product out must still work.
    expect((await put(s, later!, { quantity: 0 })).json().items).toEqual([]);
  });

  it('answers malformed bodies with 400 validation_failed and writes nothing', async () => {
    const s = await registerCustomer(t.app);
    const [id] = await products(1);
    await add(s, { product_id: id, quantity: 1 });
    const before = await getCart(s);
    const bad = [
      { product_id: id, quantity: -1 },
      { product_id: id, quantity: 0 },
      { product_id: id, quantity: 1.5 },
      { product_id: id, quantity: '5' },
      { product_id: id, quantity: 1e12 },
      { product_id: id, quantity: null },
      { product_id: 'not-a-uuid', quantity: 1 },
      { product_id: id },
      { quantity: 1 },
    ];
    for (const payload of bad) expectError(await add(s, payload), 400, 'validation_failed');
    for (const payload of [{ quantity: -1 }, { quantity: 2.5 }, { quantity: '2' }, { quantity: 2 ** 40 }, {}, { quantity: 1, price: 1 }]) {
      expectError(await put(s, id!, payload), 400, 'validation_failed');
    }
    expectError(await put(s, 'not-a-uuid', { quantity: 1 }), 400, 'validation_failed');
    expect(await getCart(s)).toEqual(before);
  });

  it('requires a signed-in customer', async () => {
    const [id] = await products(1);
    const calls = [
      await t.app.inject({ method: 'GET', url: '/v1/cart' }),
      await t.app.inject({ method: 'POST', url: '/v1/cart/items', payload: { product_id: id, quantity: 1 } }),
      await t.app.inject({ method: 'PUT', url: `/v1/cart/items/${id}`, payload: { quantity: 1 } }),
      await t.app.inject({ method: 'DELETE', url: '/v1/cart' }),
    ];
    for (const response of calls) expectError(response, 401, 'unauthenticated');
  });

  it('keeps each customer in their own cart', async () => {
    const owner = await registerCustomer(t.app);
    const intruder = await registerCustomer(t.app);
    const [shared, own] = await products(2);
    await add(owner, { product_id: shared, quantity: 2 });
    await add(owner, { product_id: own, quantity: 1 });
    const before = await getCart(owner);

    expect((await getCart(intruder)).items).toEqual([]);
    expectError(await put(intruder, own!, { quantity: 5 }), 404, 'cart_item_not_found');
    expectError(await put(intruder, own!, { quantity: 0 }), 404, 'cart_item_not_found');
    expect((await add(intruder, { product_id: shared, quantity: 1 })).json().items).toEqual([expect.objectContaining({ product_id: shared, quantity: 1 })]);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/cart', headers: intruder.auth })).statusCode).toBe(204);
    // A client-supplied customer id is not a thing: unknown fields and query strings are ignored or refused.
    expectError(await add(intruder, { product_id: shared, quantity: 1, customer_id: owner.accountId }), 400, 'validation_failed');

    expect(await getCart(owner)).toEqual(before);
    const rows = await t.ctx.databases.main.selectFrom('cart_items').select(['customer_id', 'quantity']).where('product_id', '=', shared!).execute();
    expect(rows).toEqual([{ customer_id: owner.accountId, quantity: 2 }]);
  });

  it('survives as one cart across devices (sessions)', async () => {
    const phone = await registerCustomer(t.app);
    const [id] = await products(1);
    await add(phone, { product_id: id, quantity: 1 });
    const account = await t.ctx.databases.main.selectFrom('accounts').select('email').where('id', '=', phone.accountId).executeTakeFirstOrThrow();
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: account.email, password: 'correct horse battery' } });
    const laptop = { ...phone, auth: { authorization: `Bearer ${login.json().token}` } };
    await add(laptop, { product_id: id, quantity: 2 });
    expect((await getCart(phone)).items[0].quantity).toBe(3);
  });
});

describe.each(BACKENDS)('cart expiry over HTTP (%s)', (backend) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2030-06-01T12:00:00Z'));
  beforeAll(async () => {
    // Sessions outlive the carts here, so the tests see expiry and not a signed-out customer.
    t = await createTestApp(backend, { CART_EXPIRY_DAYS: '30', SESSION_TTL_HOURS: String(24 * 365) }, { clock });
  });
  afterAll(async () => t?.close());

  const add = (s: Session, productId: string, quantity = 1) =>
    t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: s.auth, payload: { product_id: productId, quantity } });
  const items = async (s: Session) => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/cart', headers: s.auth });
    expect(response.statusCode).toBe(200);
    return response.json().items;
  };

  it('forgets a cart untouched for 30 days; every write renews it', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const idle = await registerCustomer(t.app);
    const busy = await registerCustomer(t.app);
    await add(idle, id!);
    await add(busy, id!);
    clock.advance(20 * DAY);
    await t.app.inject({ method: 'PUT', url: `/v1/cart/items/${id}`, headers: busy.auth, payload: { quantity: 2 } });
    clock.advance(10 * DAY - 1);
    expect(await items(idle)).toHaveLength(1);
    clock.advance(2);
    expect(await items(idle)).toEqual([]);
    expect(await items(busy)).toEqual([expect.objectContaining({ quantity: 2 })]);
    // The expired cart is gone for good: a new add starts from scratch.
    expect((await add(idle, id!)).json().items).toEqual([expect.objectContaining({ quantity: 1 })]);
  });

  it('deletes expired carts in the background job', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const shoppers = [await registerCustomer(t.app), await registerCustomer(t.app)];
    for (const s of shoppers) await add(s, id!);
    clock.advance(31 * DAY);
    const job = t.ctx.services.cart.cartExpiryJob(3600_000);
    expect(job.name).toBe('cart.expiry');
    await job.run();
    const left = await t.ctx.databases.main.selectFrom('carts').select('customer_id').where('customer_id', 'in', shoppers.map((s) => s.accountId)).execute();
    expect(left).toEqual([]);
    const lines = await t.ctx.databases.main.selectFrom('cart_items').select('product_id').where('product_id', '=', id!).execute();
    expect(lines).toEqual([]);
  });

});

describe('cart additions are rate-limited', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', { RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => t?.close());

  it('answers 429 rate_limited past the limit and keeps reads open', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const s = await registerCustomer(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: s.auth, payload: { product_id: id, quantity: 1 } })).statusCode);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    const cart = await t.app.inject({ method: 'GET', url: '/v1/cart', headers: s.auth });
    expect(cart.statusCode).toBe(200);
    expect(cart.json().items[0].quantity).toBe(3);
  });
});
