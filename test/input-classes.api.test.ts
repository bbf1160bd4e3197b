import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_INT_MAX } from '../src/platform/limits.ts';
import { createAdminSession, createTestApp, errorCode, type Session, type TestApp } from './helpers/app.ts';
import { carrierWebhook, newDeliveryId, placeOrder } from './helpers/lifecycle.ts';
import { rawRequest } from './helpers/raw-http.ts';
import { createBuyer, stockedProducts, type Buyer } from './helpers/shop.ts';

/**
 * One test per class of input that used to pass the schema and fail in the database or the
 * framework (a 5xx, or an error outside the app's format). Each walks every instance it can
 * derive (from the OpenAPI document where possible) rather than one example.
 */
const NUL = 'bad\u0000text';
const LONE_SURROGATE = 'bad\ud800text';
const SOME_ID = '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
const NON_CANONICAL_IDS = [`urn:uuid:${SOME_ID}`, `{${SOME_ID}}`, SOME_ID.toUpperCase(), SOME_ID.replaceAll('-', ''), ` ${SOME_ID}`];

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function expectClientError(response: LightMyRequestResponse, status: number, code: string, label: string) {
  expect([response.statusCode, errorCode(response)], `${label}: ${response.body.slice(0, 300)}`).toEqual([status, code]);
}

describe('input classes that used to reach a 5xx', () => {
  let t: TestApp;
  let buyer: Buyer;
  let admin: Session;
  let productId: string;
  let orderId: string;
  let doc: { paths: Record<string, Record<string, { parameters?: { in: string; name: string; schema: { format?: string } }[] }>> };

  beforeAll(async () => {
    t = await createTestApp('pglite', { SIMULATOR_STEP_SECONDS: '0' });
    admin = await createAdminSession(t.ctx, t.app);
    buyer = await createBuyer(t.app);
    const stocked = await stockedProducts(t.ctx, { products: 2, stock: 50 });
    productId = stocked.productIds[0]!;
    orderId = await placeOrder(t.app, buyer, [productId]);
    await placeOrder(t.app, buyer, [productId]);
    await t.ctx.services.search.reindex();
    doc = t.app.swagger() as typeof doc;
  });
  afterAll(async () => t?.close());

  const countRows = async (table: string) =>
    Number((await t.ctx.databases.main.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses NUL and unpaired surrogates in every kind of string with 400 validation_failed, and stores nothing', async () => {
    const before = { accounts: await countRows('accounts'), products: await countRows('products'), addresses: await countRows('addresses') };
    for (const bad of [NUL, LONE_SURROGATE]) {
      const attempts: [string, Promise<LightMyRequestResponse>][] = [
        ['register name', t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: `n${Date.now()}@example.com`, password: 'long enough pw', name: bad } })],
        ['login password', t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'x@example.com', password: bad } })],
        ['address line', t.app.inject({ method: 'POST', url: '/v1/addresses', headers: buyer.auth, payload: { line1: bad, city: 'New York', region: 'NY', postal_code: '10001', country: 'US' } })],
        ['payment token', t.app.inject({ method: 'POST', url: '/v1/payment-methods', headers: buyer.auth, payload: { token: bad } })],
        ['product title', t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${productId}`, headers: admin.auth, payload: { title: bad } })],
        ['attribute name', t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${productId}`, headers: admin.auth, payload: { attributes: { [bad]: 'x' } } })],
        ['attribute value', t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${productId}`, headers: admin.auth, payload: { attributes: { colour: bad } } })],
        ['cancel reason', t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth, payload: { reason: bad } })],
        ['webhook delivery id', carrierWebhook(t.app, 'parcelway-ground', { delivery_id: bad, type: 'shipped', tracking_number: 'PG1234567' })],
      ];
      for (const [label, attempt] of attempts) expectClientError(await attempt, 400, 'validation_failed', `${label} (${JSON.stringify(bad)})`);
    }
    // A URL carries UTF-8 only, so of the two only NUL can arrive in a query or a path.
    for (const url of ['/v1/search?q=a%00b', '/v1/search?brand=a%00b', '/v1/search/suggest?q=a%00b', '/v1/search?category=a%00b', '/img/a%00b.png']) {
      expectClientError(await t.app.inject({ method: 'GET', url }), 400, 'validation_failed', url);
    }
    expect({ accounts: await countRows('accounts'), products: await countRows('products'), addresses: await countRows('addresses') }).toEqual(before);
    expect((await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: buyer.auth })).json().order.status).not.toBe('cancelled');
  });

  it('accepts ids only in canonical form, in every path parameter of the API, in bodies and in queries', async () => {
    const withIdParams = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).flatMap(([method, op]) =>
        (op.parameters ?? []).filter((p) => p.in === 'path' && p.schema.format === 'uuid').map((p) => ({ method: method.toUpperCase(), path, param: p.name })),
      ),
    );
    expect(withIdParams.length).toBeGreaterThanOrEqual(10);
    for (const { method, path, param } of withIdParams) {
      for (const id of NON_CANONICAL_IDS) {
        const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(name === param ? id : SOME_ID));
        const response = await t.app.inject({ method: method as 'GET', url, headers: admin.auth, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
        expectClientError(response, 400, 'validation_failed', `${method} ${url}`);
      }
    }
    for (const id of NON_CANONICAL_IDS) {
      expectClientError(await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: buyer.auth, payload: { product_id: id, quantity: 1 } }), 400, 'validation_failed', `cart ${id}`);
      expectClientError(
        await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { ...buyer.auth, 'idempotency-key': `key-${Date.now()}` }, payload: { shipping_address_id: id, payment_method_id: buyer.paymentMethodId } }),
        400,
        'validation_failed',
        `checkout ${id}`,
      );
    }
  });

  it('bounds every number a request carries by what its column holds', async () => {
    const unbounded: string[] = [];
    const visit = (schema: Record<string, any> | undefined, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      if (schema.type === 'integer' || schema.type === 'number') {
        const ok = Number.isFinite(schema.minimum) && Number.isFinite(schema.maximum) && (schema.type === 'number' || (schema.minimum >= -PG_INT_MAX && schema.maximum <= PG_INT_MAX));
        if (!ok) unbounded.push(`${where} (${schema.type} ${schema.minimum}..${schema.maximum})`);
      }
      for (const key of ['anyOf', 'oneOf', 'allOf']) for (const s of schema[key] ?? []) visit(s, where);
      for (const [name, s] of Object.entries<Record<string, any>>(schema.properties ?? {})) visit(s, `${where}.${name}`);
      for (const s of Object.values<Record<string, any>>(schema.patternProperties ?? {})) visit(s, `${where}{}`);
      if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, `${where}{}`);
      if (schema.items) visit(schema.items, `${where}[]`);
    };
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries<any>(operations)) {
        for (const p of op.parameters ?? []) visit(p.schema, `${method.toUpperCase()} ${path} ${p.in} ${p.name}`);
        visit(op.requestBody?.content?.['application/json']?.schema, `${method.toUpperCase()} ${path} body`);
      }
    }
    expect(unbounded).toEqual([]);

    // The instance that degraded search for every shopper: now the request's own 400, and search stays healthy.
    expectClientError(await t.app.inject({ method: 'GET', url: '/v1/search?price_max=3000000000' }), 400, 'invalid_price', 'price_max past int4');
    expectClientError(await t.app.inject({ method: 'GET', url: '/v1/search?rating_min=1e400' }), 400, 'invalid_rating', 'rating_min infinite');
    const after = await t.app.inject({ method: 'GET', url: '/v1/search?q=fixture' });
    expect(after.json().degraded).toBe(false);
    expectClientError(
      await t.app.inject({ method: 'POST', url: '/v1/checkout', headers: { ...buyer.auth, 'idempotency-key': `key-${Date.now()}` }, payload: { shipping_address_id: buyer.addressId, payment_method_id: buyer.paymentMethodId, expected_total: { amount: 1e12, currency: 'USD' } } }),
      400,
      'validation_failed',
      'expected_total past an amount column',
    );
  });

  it('refuses an order whose total no amount column can hold with 422, charging nothing', async () => {
    const big = await stockedProducts(t.ctx, { products: 2, price: 100_000_000, stock: 100, purchaseLimit: 20 });
    const rich = await createBuyer(t.app);
    for (const id of big.productIds) {
      expect((await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: rich.auth, payload: { product_id: id, quantity: 20 } })).statusCode).toBe(201);
    }
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/checkout',
      headers: { ...rich.auth, 'idempotency-key': `big-${Date.now()}` },
      payload: { shipping_address_id: rich.addressId, payment_method_id: rich.paymentMethodId },
    });
    expectClientError(response, 422, 'order_total_too_large', 'total of 4e9 cents');
    expect(await t.ctx.databases.orders.selectFrom('payments').selectAll().where('account_id', '=', rich.accountId).execute()).toEqual([]);
  });

  it('validates every field of a decoded cursor: a tampered one is 400 invalid_cursor on every paginated list', async () => {
    const tampered = [
      'not base64 !',
      b64('{not json'),
      b64([1, 2]),
      b64('"text"'),
      b64({ p: '0000-01-01T00:00:00.000Z', i: SOME_ID, c: '0000-01-01T00:00:00.000Z', id: SOME_ID }),
      b64({ p: '+275760-09-13T00:00:00.000Z', c: '+275760-09-13T00:00:00.000Z', i: SOME_ID }),
      b64({ p: 'yesterday', c: 'yesterday', i: SOME_ID }),
      b64({ p: '2026-01-01T00:00:00.000Z', c: '2026-01-01T00:00:00.000Z', i: 'not-a-uuid', id: 'not-a-uuid' }),
      b64({ p: 20260101, c: 20260101, i: 42, id: 42 }),
      b64({ __proto__: { p: '2026-01-01T00:00:00.000Z' }, i: SOME_ID }),
      b64({ s: 'newest', v: '0000-01-01T00:00:00Z', w: '', i: SOME_ID }),
      b64({ s: 'price_asc', v: '99999999999', w: '', i: SOME_ID }),
      b64({ s: 'rating', v: '4.5', w: '99999999999', i: SOME_ID }),
      b64({ s: 'relevance', v: { $gt: 1 }, w: '', i: SOME_ID }),
    ];
    const lists = ['/v1/orders', '/v1/notifications', '/v1/products', '/v1/search?sort=newest', '/v1/search?sort=price_asc', '/v1/search?sort=rating', '/v1/search?q=fixture'];
    for (const list of lists) {
      for (const cursor of tampered) {
        const url = `${list}${list.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
        expectClientError(await t.app.inject({ method: 'GET', url, headers: buyer.auth }), 400, 'invalid_cursor', `${url} ${Buffer.from(cursor, 'base64url').toString()}`);
      }
    }
    // Issued cursors still work.
    const first = (await t.app.inject({ method: 'GET', url: '/v1/orders?limit=1', headers: buyer.auth })).json();
    const second = await t.app.inject({ method: 'GET', url: `/v1/orders?limit=1&cursor=${first.next_cursor}`, headers: buyer.auth });
    expect(second.statusCode).toBe(200);
    expect(second.json().orders[0].id).not.toBe(first.orders[0].id);
  });

  it('treats client strings named after built-in object properties as unknown, never as a lookup hit', async () => {
    for (const token of ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      expectClientError(await t.app.inject({ method: 'POST', url: '/v1/payment-methods', headers: buyer.auth, payload: { token } }), 422, 'invalid_payment_method', `token ${token}`);
    }
    for (const carrier of ['constructor', 'tostring', 'valueof']) {
      expectClientError(await carrierWebhook(t.app, carrier, { delivery_id: newDeliveryId(), type: 'shipped', tracking_number: 'PG1234567' }), 404, 'carrier_not_found', `carrier ${carrier}`);
    }
  });
});

describe('framework-level errors over a real socket', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp('pglite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => t?.close());

  const cases: [string, string, number, string, boolean][] = [
    ['a % that starts no escape', 'GET /v1/products/% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'invalid_url', false],
    ['a path parameter over the length limit', `GET /v1/products/${'a'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 414, 'uri_too_long', false],
    ['oversized headers', `GET /v1/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large', true],
    ['a malformed request line', 'THIS IS NOT HTTP\r\n\r\n', 400, 'malformed_request', true],
    ['a malformed header', 'GET /v1/products HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400, 'malformed_request', true],
  ];
  for (const [label, bytes, status, code, closedByServer] of cases) {
    it(`answers ${label} in the one error format`, async () => {
      const response = await rawRequest(port, bytes);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(response.body);
      expect(body.error.code).toBe(code);
      expect(typeof body.error.request_id).toBe('string');
      expect(response.body).not.toMatch(/FST_|statusCode/);
      expect(response.headers['x-request-id']).toBe(body.error.request_id);
      if (closedByServer) expect(response.headers.connection).toBe('close');
      expect(response.closed).toBe(true);
    });
  }
});
