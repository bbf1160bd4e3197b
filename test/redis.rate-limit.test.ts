import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, errorCode, registerCustomer, uniqueEmail, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { assertRedisReachable, deleteKeysUnder, keysUnder, NEEDS_REDIS, REDIS_CASES, startOwnRedis, uniqueRedisPrefix, type OwnRedis } from './helpers/redis.ts';
import { describeEach } from './helpers/suites.ts';

const register = (t: TestApp, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/register', remoteAddress, payload: { email: uniqueEmail('rl'), password: 'correct horse battery', name: 'R' } });

describeEach(REDIS_CASES, NEEDS_REDIS, 'rate limits in Redis (%s)', (url) => {
  const prefix = uniqueRedisPrefix();
  const apps: TestApp[] = [];
  beforeAll(async () => {
    await assertRedisReachable(url);
    // Two API processes of one shop: same Redis, same prefix.
    for (let i = 0; i < 2; i++) apps.push(await createTestApp('pglite', { REDIS_URL: url, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_PER_MINUTE: '3' }));
  });
  afterAll(async () => {
    for (const t of apps) await t.close();
    await deleteKeysUnder(url, prefix);
  });

  it('counts one client address once across every API process, under the configured key prefix', async () => {
    const [a, b] = apps as [TestApp, TestApp];
    const statuses = [];
    for (const t of [a, b, a, b]) statuses.push((await register(t, '198.51.100.77')).statusCode);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const keys = await keysUnder(url, prefix);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${prefix}rl:`) || k.startsWith(`${prefix}cache:`))).toBe(true);
    expect(keys.some((k) => k.includes('register:address:198.51.100.77'))).toBe(true);
  });

  it('keeps another shop on the same Redis (another prefix) apart', async () => {
    const other = await createTestApp('pglite', { REDIS_URL: url, REDIS_KEY_PREFIX: uniqueRedisPrefix(), RATE_LIMIT_PER_MINUTE: '3' });
    try {
      expect((await register(other, '198.51.100.77')).statusCode).toBe(201);
    } finally {
      await other.close();
    }
  });
});

describeEach(REDIS_CASES, NEEDS_REDIS, 'when Redis fails (%s configured; an own Redis on a random port is taken down)', () => {
  let own: OwnRedis;
  let t: TestApp;
  let productId: string;
  beforeAll(async () => {
    own = await startOwnRedis();
    t = await createTestApp('pglite', { REDIS_URL: own.url, REDIS_KEY_PREFIX: uniqueRedisPrefix(), RATE_LIMIT_PER_MINUTE: '50' });
    productId = (await createCatalogFixture(t.ctx)).productIds[0]!;
  });
  afterAll(async () => {
    await t?.close();
    await own?.close();
  });

  it('refuses sign-in and registration with 503 rate_limit_unavailable (fail closed), serves everything else (fail open), and recovers', async () => {
    const customer = await registerCustomer(t.app);
    await own.stop();
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: 'a@example.com', password: 'whatever pw' } });
    expect([login.statusCode, errorCode(login)]).toEqual([503, 'rate_limit_unavailable']);
    const registration = await register(t, '192.0.2.10');
    expect([registration.statusCode, errorCode(registration)]).toEqual([503, 'rate_limit_unavailable']);
    // Browsing (cache misses) and rate-limited cart writes go on.
    expect((await t.app.inject({ method: 'GET', url: `/v1/products/${productId}` })).statusCode).toBe(200);
    const added = await t.app.inject({ method: 'POST', url: '/v1/cart/items', headers: customer.auth, payload: { product_id: productId, quantity: 1 } });
    expect(added.statusCode).toBe(201);

    await own.start();
    let status = 0;
    for (let i = 0; i < 100 && status !== 201; i++) {
      status = (await register(t, '192.0.2.11')).statusCode;
      if (status !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(201);
  });
});
