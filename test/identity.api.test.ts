import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode, registerCustomer, uniqueEmail, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';

const address = { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postal_code: '10118', country: 'US' };

describe.each(BACKENDS)('identity over HTTP (%s)', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend);
  });
  afterAll(async () => t?.close());

  it('registers, signs in, reads /v1/me and signs out', async () => {
    const email = uniqueEmail();
    const register = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'long enough pw', name: 'Ada' } });
    expect(register.statusCode).toBe(201);
    expect(register.json().customer).toMatchObject({ email, name: 'Ada', role: 'customer' });

    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: email.toUpperCase(), password: 'long enough pw' } });
    expect(login.statusCode).toBe(200);
    const auth = { authorization: `Bearer ${login.json().token}` };

    const me = await t.app.inject({ method: 'GET', url: '/v1/me', headers: auth });
    expect(me.json().email).toBe(email);

    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: auth })).statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/v1/me', headers: auth });
    expect(after.statusCode).toBe(401);
    expect(errorCode(after)).toBe('unauthenticated');
  });

  it('refuses a duplicate email (any case) and a wrong password', async () => {
    const email = uniqueEmail();
    await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email, password: 'long enough pw', name: 'A' } });
    const again = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: email.toUpperCase(), password: 'long enough pw', name: 'B' } });
    expect(again.statusCode).toBe(409);
    expect(errorCode(again)).toBe('email_taken');
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'not the password' } });
    expect(wrong.statusCode).toBe(401);
    expect(errorCode(wrong)).toBe('invalid_credentials');
  });

  it('stores only a hash of the password and of the token', async () => {
    const session = await registerCustomer(t.app);
    const account = await t.ctx.databases.main.selectFrom('accounts').selectAll().where('id', '=', session.accountId).executeTakeFirstOrThrow();
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
    const tokens = await t.ctx.databases.main.selectFrom('sessions').select('token_hash').where('account_id', '=', session.accountId).execute();
    expect(tokens.map((r) => r.token_hash)).not.toContain(session.token);
  });

  it('resolves address coordinates from the ZIP and refuses an unknown one', async () => {
    const s = await registerCustomer(t.app);
    const created = await t.app.inject({ method: 'POST', url: '/v1/addresses', headers: s.auth, payload: address });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ postal_code: '10118', is_default: true });
    expect(created.json().latitude).toBeCloseTo(40.75, 1);

    const unknown = await t.app.inject({ method: 'POST', url: '/v1/addresses', headers: s.auth, payload: { ...address, postal_code: '00000' } });
    expect(unknown.statusCode).toBe(422);
    expect(errorCode(unknown)).toBe('unknown_postal_code');
    const list = await t.app.inject({ method: 'GET', url: '/v1/addresses', headers: s.auth });
    expect(list.json().addresses).toHaveLength(1);
  });

  it('keeps one customer out of another customer’s addresses', async () => {
    const owner = await registerCustomer(t.app);
    const intruder = await registerCustomer(t.app);
    const created = (await t.app.inject({ method: 'POST', url: '/v1/addresses', headers: owner.auth, payload: address })).json();

    const read = await t.app.inject({ method: 'GET', url: `/v1/addresses/${created.id}`, headers: intruder.auth });
    expect(read.statusCode).toBe(404);
    const del = await t.app.inject({ method: 'DELETE', url: `/v1/addresses/${created.id}`, headers: intruder.auth });
    expect(del.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/v1/addresses', headers: intruder.auth });
    expect(list.json().addresses).toEqual([]);
    const still = await t.app.inject({ method: 'GET', url: `/v1/addresses/${created.id}`, headers: owner.auth });
    expect(still.statusCode).toBe(200);
  });

  it('promotes another address when the default one is deleted', async () => {
    const s = await registerCustomer(t.app);
    const first = (await t.app.inject({ method: 'POST', url: '/v1/addresses', headers: s.auth, payload: address })).json();
    const second = (await t.app.inject({ method: 'POST', url: '/v1/addresses', headers: s.auth, payload: { ...address, postal_code: '94103', city: 'San Francisco', region: 'CA' } })).json();
    expect(second.is_default).toBe(false);
    await t.app.inject({ method: 'DELETE', url: `/v1/addresses/${first.id}`, headers: s.auth });
    const list = (await t.app.inject({ method: 'GET', url: '/v1/addresses', headers: s.auth })).json();
    expect(list.addresses).toEqual([expect.objectContaining({ id: second.id, is_default: true })]);
  });
});
