import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { createWarehouse } from './helpers/shop.ts';

describe.each(BACKENDS)('variation families over HTTP (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;
  let seller: Session;
  let otherSeller: Session;
  let sellerId: string;
  let categoryId: number;

  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, session?: Session, payload?: unknown) =>
    t.app.inject({ method, url, headers: session ? session.auth : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const expectStatus = async (response: Promise<{ statusCode: number; body: string }>, status: number) => {
    const answer = await response;
    if (answer.statusCode !== status) throw new Error(`expected ${status}, got ${answer.statusCode}: ${answer.body}`);
    return JSON.parse(answer.body || 'null');
  };

  beforeAll(async () => {
    t = await createTestApp(backend);
    admin = await createAdminSession(t.ctx, t.app);
    [seller, otherSeller] = [await registerCustomer(t.app), await registerCustomer(t.app)];
    sellerId = (await expectStatus(inject('POST', '/v1/admin/sellers', admin, { name: 'Shoes & Co', kind: 'marketplace', account_id: seller.accountId }), 201)).id;
    await expectStatus(inject('POST', '/v1/admin/sellers', admin, { name: 'Others', kind: 'marketplace', account_id: otherSeller.accountId }), 201);
    categoryId = (await expectStatus(inject('POST', '/v1/admin/categories', admin, { name: 'Sneakers', slug: `sneakers-${newId().slice(-8)}` }), 201)).id;
  });
  afterAll(async () => t?.close());

  it('lets a seller build a family whose children are products with their own price and stock, shown with a price range', async () => {
    const family = await expectStatus(
      inject('POST', '/v1/admin/families', seller, {
        title: 'Court Classic Sneaker',
        category_id: categoryId,
        brand: 'Courtline',
        images: ['/img/court.svg'],
        axes: [
          { name: 'size', values: ['8', '9', '10'] },
          { name: 'colour', values: ['White', 'Black'] },
        ],
      }),
      201,
    );
    expect(family).toMatchObject({ seller_id: sellerId, status: 'active', variants: [] });
    const makeChild = (options: Record<string, string>, amount: number) =>
      expectStatus(
        inject('POST', '/v1/admin/products', seller, {
          title: `Court Classic Sneaker, ${options.colour}, Size ${options.size}`,
          category_id: categoryId,
          price: { amount, currency: 'USD' },
          family_id: family.id,
          options,
        }),
        201,
      );
    const white9 = await makeChild({ size: '9', colour: 'White' }, 7999);
    const black10 = await makeChild({ size: '10', colour: 'Black' }, 8499);
    expect(white9).toMatchObject({ family_id: family.id, options: { size: '9', colour: 'White' } });
    const again = await inject('POST', '/v1/admin/products', seller, { title: 'dup', category_id: categoryId, price: { amount: 1, currency: 'USD' }, family_id: family.id, options: { colour: 'White', size: '9' } });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('variant_exists');

    const warehouse = await createWarehouse(t.ctx);
    await expectStatus(inject('PUT', `/v1/admin/inventory/${white9.id}/warehouses/${warehouse.id}`, seller, { total_stock: 40 }), 200);

    const shown = await inject('GET', `/v1/families/${family.id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['cache-control']).toMatch(/^public/);
    const body = shown.json();
    expect(body.price_range).toEqual({ min: { amount: 7999, currency: 'USD' }, max: { amount: 8499, currency: 'USD' } });
    expect(body.variants).toEqual([
      expect.objectContaining({ product_id: white9.id, options: { size: '9', colour: 'White' }, availability: 'in_stock' }),
      expect.objectContaining({ product_id: black10.id, options: { size: '10', colour: 'Black' }, availability: 'out_of_stock' }),
    ]);
    const page = await expectStatus(inject('GET', `/v1/products/${black10.id}`), 200);
    expect(page).toMatchObject({ family_id: family.id, options: { size: '10', colour: 'Black' } });
  });

  it('answers bad family input with 4xx codes and changes nothing', async () => {
    const before = Number((await t.ctx.databases.main.selectFrom('product_families').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const cases: [unknown, number, string][] = [
      [{ title: 'x', category_id: categoryId, axes: [] }, 400, 'validation_failed'],
      [{ title: 'x', category_id: categoryId, axes: [{ name: 'size', values: ['1', '1'] }] }, 400, 'invalid_axes'],
      [{ title: 'x', category_id: categoryId, axes: [{ name: 'size', values: ['1'] }, { name: 'SIZE', values: ['2'] }] }, 400, 'invalid_axes'],
      [{ title: 'x', category_id: 2_000_000, axes: [{ name: 'size', values: ['1'] }] }, 422, 'category_not_found'],
      [{ title: 'x', category_id: categoryId, axes: [{ name: 'size', values: ['1'] }], sold_by: 'me' }, 400, 'validation_failed'],
    ];
    for (const [payload, status, code] of cases) {
      const response = await inject('POST', '/v1/admin/families', seller, payload);
      expect([response.statusCode, errorCode(response)]).toEqual([status, code]);
    }
    expect((await inject('POST', '/v1/admin/families', undefined, { title: 'x', category_id: categoryId, axes: [{ name: 'a', values: ['b'] }] })).statusCode).toBe(401);
    const customer = await registerCustomer(t.app);
    expect((await inject('POST', '/v1/admin/families', customer, { title: 'x', category_id: categoryId, axes: [{ name: 'a', values: ['b'] }] })).statusCode).toBe(403);
    const unknown = await inject('GET', `/v1/families/${newId()}`);
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'family_not_found']);
    const after = Number((await t.ctx.databases.main.selectFrom('product_families').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(after).toBe(before);
  });

  it('keeps each seller to its own families and hides an inactive family from shoppers but not from its seller', async () => {
    const family = await expectStatus(
      inject('POST', '/v1/admin/families', seller, { title: 'Private', category_id: categoryId, axes: [{ name: 'size', values: ['S'] }], status: 'inactive' }),
      201,
    );
    expect((await inject('GET', `/v1/admin/families/${family.id}`, otherSeller)).statusCode).toBe(403);
    expect((await inject('PATCH', `/v1/admin/families/${family.id}`, otherSeller, { title: 'Stolen' })).statusCode).toBe(403);
    const listed = await expectStatus(inject('GET', '/v1/admin/families?limit=100', otherSeller), 200);
    expect(listed.families.some((f: { id: string }) => f.id === family.id)).toBe(false);
    expect((await inject('GET', `/v1/families/${family.id}`)).statusCode).toBe(404);
    const own = await inject('GET', `/v1/families/${family.id}`, seller);
    expect(own.statusCode).toBe(200);
    expect(own.headers['cache-control']).toBe('private, no-store');
    const activated = await expectStatus(inject('PATCH', `/v1/admin/families/${family.id}`, seller, { status: 'active', axes: [{ name: 'size', values: ['S', 'M'] }] }), 200);
    expect(activated.axes).toEqual([{ name: 'size', values: ['S', 'M'] }]);
    expect((await inject('GET', `/v1/families/${family.id}`)).statusCode).toBe(200);
  });
});
