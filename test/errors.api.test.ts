import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode, registerCustomer, type TestApp } from './helpers/app.ts';

describe('error model over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', { BODY_LIMIT_BYTES: '2048' });
  });
  afterAll(async () => t?.close());

  const countAccounts = async () =>
    Number((await t.ctx.databases.main.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('answers malformed JSON with 400 malformed_json and writes nothing', async () => {
    const before = await countAccounts();
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": "a@b.co", "password": ',
    });
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('malformed_json');
    expect(await countAccounts()).toBe(before);
  });

  it('answers wrong types and unknown fields with 400 validation_failed', async () => {
    const wrongType = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: 'x@example.com', password: 12345678, name: 'X' } });
    expect(wrongType.statusCode).toBe(400);
    expect(errorCode(wrongType)).toBe('validation_failed');
    const unknownField = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'y@example.com', password: '12345678', name: 'Y', role: 'admin' },
    });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().error.details.issues[0].field).toBe('role');
  });

  it('answers an oversize body with 413 payload_too_large', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'z@example.com', password: 'x'.repeat(4000), name: 'Z' },
    });
    expect(response.statusCode).toBe(413);
    expect(errorCode(response)).toBe('payload_too_large');
  });

  it('answers a bad UUID in the path with 400 and an unknown route with 404', async () => {
    const s = await registerCustomer(t.app);
    const badId = await t.app.inject({ method: 'GET', url: '/v1/addresses/not-a-uuid', headers: s.auth });
    expect(badId.statusCode).toBe(400);
    expect(errorCode(badId)).toBe('validation_failed');
    const missing = await t.app.inject({ method: 'GET', url: '/v1/nowhere' });
    expect(missing.statusCode).toBe(404);
    expect(errorCode(missing)).toBe('route_not_found');
  });

  it('answers a missing or garbage token with 401 unauthenticated', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/addresses' });
    expect(none.statusCode).toBe(401);
    const garbage = await t.app.inject({ method: 'GET', url: '/v1/addresses', headers: { authorization: 'Bearer nope' } });
    expect(garbage.statusCode).toBe(401);
    expect(errorCode(garbage)).toBe('unauthenticated');
  });

  it('serves health, readiness and the OpenAPI document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const spec = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    expect(Object.keys(spec.json().paths)).toContain('/v1/auth/register');
  });
});
