import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createAdminSession, createTestApp, errorCode, type Session, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { addToCart, checkout, createBuyer, FAST_PAYMENTS, stockedProducts, stockRows, withoutRequestId } from './helpers/shop.ts';

describe.each(BACKENDS)('human check at checkout for flash-sale products (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;
  let flashSale: string;
  let ordinary: string;

  beforeAll(async () => {
    t = await createTestApp(backend, FAST_PAYMENTS);
    admin = await createAdminSession(t.ctx, t.app);
    const { productIds } = await stockedProducts(t.ctx, { products: 2, stock: 50 });
    [flashSale, ordinary] = productIds as [string, string];
    const flagged = await t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${flashSale}`, headers: admin.auth, payload: { checkout_challenge: true } });
    expect([flagged.statusCode, flagged.json().checkout_challenge]).toEqual([200, true]);
  });
  afterAll(async () => t?.close());

  const checkoutsOf = async (customerId: string) =>
    Number((await t.ctx.databases.orders.selectFrom('checkouts').select((eb) => eb.fn.countAll().as('n')).where('customer_id', '=', customerId).executeTakeFirstOrThrow()).n);
  const reservedOf = async (productId: string) => (await stockRows(t, productId)).reduce((n, r) => n + r.reserved_stock + r.sold_stock, 0);

  it('asks for the check, refuses a wrong token, and writes nothing until it is solved', async () => {
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, flashSale);
    const committedBefore = await reservedOf(flashSale);

    const missing = await checkout(t.app, buyer);
    expect([missing.statusCode, errorCode(missing)]).toEqual([403, 'challenge_required']);
    expect(missing.json().error.details).toEqual({ product_ids: [flashSale], site_key: 'sandbox' });
    const wrong = await checkout(t.app, buyer, newId(), { challenge_token: 'bot-guess' });
    expect([wrong.statusCode, errorCode(wrong)]).toEqual([403, 'challenge_failed']);
    expect(await checkoutsOf(buyer.accountId)).toBe(0);
    expect(await reservedOf(flashSale)).toBe(committedBefore);
    expect((await t.app.inject({ method: 'GET', url: '/v1/cart', headers: buyer.auth })).json().items).toHaveLength(1);

    const solved = await checkout(t.app, buyer, newId(), { challenge_token: `pass_${newId()}` });
    expect(solved.statusCode).toBe(201);
    expect(await reservedOf(flashSale)).toBe(committedBefore + 1);
  });

  it('spends a token once: a second purchase needs a new check', async () => {
    const buyer = await createBuyer(t.app);
    const token = `pass_${newId()}`;
    await addToCart(t.app, buyer, flashSale);
    expect((await checkout(t.app, buyer, newId(), { challenge_token: token })).statusCode).toBe(201);
    await addToCart(t.app, buyer, flashSale);
    const reused = await checkout(t.app, buyer, newId(), { challenge_token: token });
    expect([reused.statusCode, errorCode(reused)]).toEqual([403, 'challenge_failed']);
    const other = await createBuyer(t.app);
    await addToCart(t.app, other, flashSale);
    const stolen = await checkout(t.app, other, newId(), { challenge_token: token });
    expect([stolen.statusCode, errorCode(stolen)]).toEqual([403, 'challenge_failed']);
  });

  it('gives concurrent copies of one request (same key and token) one order and the same answer', async () => {
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, flashSale);
    const key = newId();
    const token = `pass_${newId()}`;
    const answers = await Promise.all(Array.from({ length: 10 }, () => checkout(t.app, buyer, key, { challenge_token: token })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => JSON.stringify(withoutRequestId(a.json())))).size).toBe(1);
    expect(await checkoutsOf(buyer.accountId)).toBe(1);
  });

  it('does not ask for products that do not want it, and validates the flag and the token', async () => {
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, ordinary);
    expect((await checkout(t.app, buyer)).statusCode).toBe(201);

    const badFlag = await t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${flashSale}`, headers: admin.auth, payload: { checkout_challenge: 'yes' } });
    expect([badFlag.statusCode, errorCode(badFlag)]).toEqual([400, 'validation_failed']);
    await addToCart(t.app, buyer, flashSale);
    const emptyToken = await checkout(t.app, buyer, newId(), { challenge_token: '' });
    expect([emptyToken.statusCode, errorCode(emptyToken)]).toEqual([400, 'validation_failed']);
    const cleared = await t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${flashSale}`, headers: admin.auth, payload: { checkout_challenge: false } });
    expect(cleared.json().checkout_challenge).toBe(false);
    expect((await checkout(t.app, buyer)).statusCode).toBe(201);
  });
});

describe('human check in production without a provider', () => {
  it('refuses flash-sale products with 503 challenge_unavailable rather than letting anyone through', async () => {
    const t = await createTestApp('pglite', { ...FAST_PAYMENTS, NODE_ENV: 'production' });
    try {
      const admin = await createAdminSession(t.ctx, t.app);
      const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 5 });
      await t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${productId}`, headers: admin.auth, payload: { checkout_challenge: true } });
      const buyer = await createBuyer(t.app);
      await addToCart(t.app, buyer, productId!);
      const missing = await checkout(t.app, buyer);
      expect([missing.statusCode, errorCode(missing), missing.json().error.details.site_key]).toEqual([403, 'challenge_required', null]);
      const answer = await checkout(t.app, buyer, newId(), { challenge_token: `pass_${newId()}` });
      expect([answer.statusCode, errorCode(answer)]).toEqual([503, 'challenge_unavailable']);
      expect((await stockRows(t, productId!)).map((r) => r.reserved_stock + r.sold_stock)).toEqual([0]);
    } finally {
      await t.close();
    }
  });
});
