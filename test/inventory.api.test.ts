import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';
import { assertStockInvariants, createWarehouse } from './helpers/shop.ts';

const NYC = { latitude: 40.75, longitude: -73.99 };

describe.each(BACKENDS)('inventory admin over HTTP (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;
  let sellerA: Session;
  let sellerB: Session;
  let customer: Session;
  let productOfA: string;
  let productOfB: string;
  let warehouseId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    admin = await createAdminSession(t.ctx, t.app);
    [sellerA, sellerB, customer] = [await registerCustomer(t.app), await registerCustomer(t.app), await registerCustomer(t.app)];
    [productOfA] = (await createCatalogFixture(t.ctx, { sellerAccountId: sellerA.accountId })).productIds as [string];
    [productOfB] = (await createCatalogFixture(t.ctx, { sellerAccountId: sellerB.accountId })).productIds as [string];
    warehouseId = (await createWarehouse(t.ctx)).id;
  });
  afterAll(async () => t?.close());

  const inject = (method: 'GET' | 'POST' | 'PUT', url: string, who?: Session, payload?: unknown) =>
    t.app.inject({ method, url, ...(who ? { headers: who.auth } : {}), ...(payload !== undefined ? { payload: payload as object } : {}) });
  const putStock = (who: Session, productId: string, total: unknown, warehouse = warehouseId) =>
    inject('PUT', `/v1/admin/inventory/${productId}/warehouses/${warehouse}`, who, { total_stock: total });
  const getStock = (who: Session, productId: string) => inject('GET', `/v1/admin/inventory/${productId}`, who);
  const refused = (response: LightMyRequestResponse) => [response.statusCode, errorCode(response)];
  const storedStock = (productId: string) =>
    t.ctx.databases.inventory.selectFrom('stock_levels').select(['warehouse_id', 'total_stock', 'reserved_stock', 'sold_stock']).where('product_id', '=', productId).orderBy('warehouse_id').execute();
  const stockEvents = async (productId: string) =>
    (await t.ctx.databases.inventory.selectFrom('outbox').select('id').where('aggregate_id', '=', productId).where('type', '=', 'inventory.stock.changed').execute()).length;

  describe('warehouses', () => {
    const warehouse = (code = `WH-${newId().slice(-8)}`) => ({ code, name: 'Secaucus', postal_code: '07094', country: 'us', processing_sla_hours: 12 });
    const listCodes = async () => (await inject('GET', '/v1/admin/warehouses', admin)).json().warehouses.map((w: { code: string }) => w.code);

    it('lets an admin add a warehouse located by its ZIP, and lists it', async () => {
      const body = warehouse();
      const created = await inject('POST', '/v1/admin/warehouses', admin, body);
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ code: body.code, postal_code: '07094', country: 'US', processing_sla_hours: 12, active: true });
      expect(created.json().latitude).toBeCloseTo(40.79, 1);
      expect(created.json().longitude).toBeCloseTo(-74.06, 1);
      expect(await listCodes()).toContain(body.code);
      expect(refused(await inject('POST', '/v1/admin/warehouses', admin, body))).toEqual([409, 'warehouse_code_taken']);
    });

    it('refuses an unknown ZIP or country with 422, bad input with 400, and non-admins, creating nothing', async () => {
      const before = await listCodes();
      expect(refused(await inject('POST', '/v1/admin/warehouses', admin, { ...warehouse(), postal_code: '00000' }))).toEqual([422, 'unknown_postal_code']);
      expect(refused(await inject('POST', '/v1/admin/warehouses', admin, { ...warehouse(), country: 'CA' }))).toEqual([422, 'unsupported_country']);
      for (const bad of [{ code: 'has space' }, { processing_sla_hours: 0 }, { processing_sla_hours: '12' }, { country: 'USA' }, { extra: true }]) {
        expect(refused(await inject('POST', '/v1/admin/warehouses', admin, { ...warehouse(), ...bad }))).toEqual([400, 'validation_failed']);
      }
      expect(refused(await inject('POST', '/v1/admin/warehouses', sellerA, warehouse()))).toEqual([403, 'forbidden']);
      expect(refused(await inject('POST', '/v1/admin/warehouses', customer, warehouse()))).toEqual([403, 'forbidden']);
      expect(refused(await inject('POST', '/v1/admin/warehouses', undefined, warehouse()))).toEqual([401, 'unauthenticated']);
      expect(refused(await inject('GET', '/v1/admin/warehouses', customer))).toEqual([403, 'forbidden']);
      expect(await listCodes()).toEqual(before);
    });
  });

  describe('stock', () => {
    it('sets and reads the stock of a product per warehouse', async () => {
      const productId = (await createCatalogFixture(t.ctx)).productIds[0]!;
      const other = await createWarehouse(t.ctx, '91761');
      const put = await putStock(admin, productId, 7);
      expect(put.statusCode).toBe(200);
      expect(put.json()).toMatchObject({
        product_id: productId,
        warehouses: [{ warehouse_id: warehouseId, total_stock: 7, reserved_stock: 0, sold_stock: 0, available: 7 }],
        available: 7,
        availability: 'in_stock',
      });
      await putStock(admin, productId, 3, other.id);
      const read = await getStock(admin, productId);
      expect(read.statusCode).toBe(200);
      expect(read.json().available).toBe(10);
      expect(read.json().warehouses.map((w: { warehouse_code: string; total_stock: number }) => [w.warehouse_code, w.total_stock]).sort()).toEqual(
        [[(await t.ctx.services.inventory.getWarehouse(warehouseId)).code, 7], [other.code, 3]].sort(),
      );
      expect((await putStock(admin, productId, 0, other.id)).json()).toMatchObject({ available: 7, availability: 'in_stock' });
      expect((await putStock(admin, productId, 2)).json()).toMatchObject({ available: 2, availability: 'low_stock' });
      expect(await stockEvents(productId)).toBe(4);
    });

    it('refuses with 409 to drop below what is reserved or sold, changing nothing', async () => {
      const productId = (await createCatalogFixture(t.ctx)).productIds[0]!;
      await putStock(admin, productId, 10);
      const { inventory } = t.ctx.services;
      await inventory.reserve({ checkoutId: newId(), lines: [{ productId, quantity: 3 }], destination: NYC });
      const sold = newId();
      await inventory.reserve({ checkoutId: sold, lines: [{ productId, quantity: 2 }], destination: NYC });
      await inventory.confirm(sold);
      const before = await storedStock(productId);

      const below = await putStock(admin, productId, 4);
      expect(refused(below)).toEqual([409, 'stock_below_committed']);
      expect(below.json().error.details).toEqual({ reserved: 3, sold: 2 });
      expect(await storedStock(productId)).toEqual(before);
      expect((await putStock(admin, productId, 5)).json()).toMatchObject({
        warehouses: [{ total_stock: 5, reserved_stock: 3, sold_stock: 2, available: 0 }],
        availability: 'out_of_stock',
      });
      await assertStockInvariants(t);
    });

    it('lets a seller manage its own product only; customers and strangers are refused', async () => {
      expect((await putStock(sellerA, productOfA, 4)).statusCode).toBe(200);
      expect((await getStock(sellerA, productOfA)).json().available).toBe(4);
      await putStock(admin, productOfB, 6);
      const before = await storedStock(productOfB);

      expect(refused(await putStock(sellerA, productOfB, 1))).toEqual([403, 'forbidden']);
      expect(refused(await getStock(sellerA, productOfB))).toEqual([403, 'forbidden']);
      expect(refused(await putStock(sellerB, productOfA, 1))).toEqual([403, 'forbidden']);
      expect(refused(await putStock(customer, productOfB, 1))).toEqual([403, 'forbidden']);
      expect(refused(await getStock(customer, productOfB))).toEqual([403, 'forbidden']);
      expect(refused(await inject('PUT', `/v1/admin/inventory/${productOfB}/warehouses/${warehouseId}`, undefined, { total_stock: 1 }))).toEqual([401, 'unauthenticated']);
      expect(await storedStock(productOfB)).toEqual(before);
      expect(await storedStock(productOfA)).toEqual([{ warehouse_id: warehouseId, total_stock: 4, reserved_stock: 0, sold_stock: 0 }]);
    });

    it('answers 404 for an unknown product or warehouse', async () => {
      expect((await putStock(admin, newId(), 1)).statusCode).toBe(404);
      expect((await getStock(admin, newId())).statusCode).toBe(404);
      expect(refused(await putStock(admin, productOfA, 1, newId()))).toEqual([404, 'warehouse_not_found']);
    });

    it.each([
      ['a negative total', -1],
      ['a string', '5'],
      ['a fraction', 1.5],
      ['a huge number', 1e12],
      ['null', null],
    ])('refuses %s with 400 validation_failed, changing nothing', async (_name, total) => {
      const productId = (await createCatalogFixture(t.ctx)).productIds[0]!;
      await putStock(admin, productId, 3);
      const before = await storedStock(productId);
      expect(refused(await putStock(admin, productId, total))).toEqual([400, 'validation_failed']);
      expect(await storedStock(productId)).toEqual(before);
      expect(await stockEvents(productId)).toBe(1);
    });

    it('refuses a malformed body or id with 400 validation_failed, changing nothing', async () => {
      const productId = (await createCatalogFixture(t.ctx)).productIds[0]!;
      await putStock(admin, productId, 3);
      const before = await storedStock(productId);
      const url = `/v1/admin/inventory/${productId}/warehouses/${warehouseId}`;
      for (const response of [
        await inject('PUT', url, admin, {}),
        await inject('PUT', url, admin, { total_stock: 4, reserved_stock: 0 }),
        await inject('PUT', `/v1/admin/inventory/not-a-uuid/warehouses/${warehouseId}`, admin, { total_stock: 4 }),
        await inject('PUT', `/v1/admin/inventory/${productId}/warehouses/12345`, admin, { total_stock: 4 }),
        await inject('GET', '/v1/admin/inventory/not-a-uuid', admin),
      ]) {
        expect(refused(response)).toEqual([400, 'validation_failed']);
      }
      expect(await storedStock(productId)).toEqual(before);
      expect(await stockEvents(productId)).toBe(1);
    });
  });
});
