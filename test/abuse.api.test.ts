import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../src/app/server.ts';
import { clientBucket } from '../src/http/plugins/rate-limits.ts';
import { ConfigError, loadConfig } from '../src/platform/config.ts';
import { createTestApp, errorCode, registerCustomer, uniqueEmail, type TestApp } from './helpers/app.ts';

const register = (t: TestApp, headers: Record<string, string> = {}, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/register', headers, payload: { email: uniqueEmail('abuse'), password: 'correct horse battery', name: 'A' }, ...(remoteAddress ? { remoteAddress } : {}) });
const login = (t: TestApp, email: string, password: string, headers: Record<string, string> = {}, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', headers, payload: { email, password }, ...(remoteAddress ? { remoteAddress } : {}) });

describe('authentication routes are limited per client address and per account, whatever token is sent', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite', { RATE_LIMIT_PER_MINUTE: '3', LOGIN_ATTEMPTS_PER_ACCOUNT: '4' });
  });
  afterAll(async () => t?.close());

  it('keeps counting a locked-out address when each guess carries a fresh bearer token', async () => {
    const address = '203.0.113.7';
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await register(t, {}, address);
      expect(response.statusCode).toBe(201);
      tokens.push(response.json().token);
    }
    // Register handed out three tokens; none of them buys another guess from this address.
    for (const token of tokens) {
      const refused = await register(t, { authorization: `Bearer ${token}` }, address);
      expect([refused.statusCode, errorCode(refused)]).toEqual([429, 'rate_limited']);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const guess = await login(t, 'victim@example.com', 'guess', { authorization: `Bearer ${token}` }, address);
      expect([guess.statusCode, errorCode(guess)]).not.toEqual([401, 'unauthenticated']);
    }
    // Another address is not affected.
    expect((await register(t, {}, '203.0.113.8')).statusCode).toBe(201);
  });

  it('limits sign-in attempts on one account across addresses, without locking other accounts', async () => {
    const victim = uniqueEmail('victim');
    await t.ctx.services.identity.register({ email: victim, password: 'the real password', name: 'V' });
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await login(t, victim.toUpperCase(), `guess ${i}`, {}, `198.51.100.${i + 1}`)).statusCode);
    expect(answers).toEqual([401, 401, 401, 401, 429, 429]);
    const other = uniqueEmail('other');
    await t.ctx.services.identity.register({ email: other, password: 'the real password', name: 'O' });
    expect((await login(t, other, 'the real password', {}, '198.51.100.50')).statusCode).toBe(200);
  });

  it('counts an IPv6 client by its /64', () => {
    expect(clientBucket('2001:db8:1:2:aaaa::1')).toBe(clientBucket('2001:db8:1:2:ffff:1:2:3'));
    expect(clientBucket('2001:db8:1:2::1')).not.toBe(clientBucket('2001:db8:1:3::1'));
    expect(clientBucket('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(clientBucket('192.0.2.1')).toBe('192.0.2.1');
  });
});

describe('TRUST_PROXY decides where the client address comes from', () => {
  const forwardedRegister = (t: TestApp, forwardedFor: string) => register(t, { 'x-forwarded-for': forwardedFor }, '10.0.0.1');

  it('off by default: X-Forwarded-For is ignored, every client of the proxy shares its bucket', async () => {
    const t = await createTestApp('pglite', { RATE_LIMIT_PER_MINUTE: '2' });
    try {
      const statuses = [];
      for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) statuses.push((await forwardedRegister(t, client)).statusCode);
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await t.close();
    }
  });

  for (const [setting, label] of [['1', 'a hop count'], ['10.0.0.0/8', 'a CIDR list']] as const) {
    it(`with ${label}: each forwarded client has its own bucket, and a spoofed hop further out changes nothing`, async () => {
      const t = await createTestApp('pglite', { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: setting });
      try {
        for (const client of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect((await forwardedRegister(t, client)).statusCode).toBe(201);
        const spoofed = [];
        // The client prepends made-up addresses; the trusted proxy appended the real one last.
        for (const fake of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) spoofed.push((await forwardedRegister(t, `${fake}, 192.0.2.9`)).statusCode);
        expect(spoofed).toEqual([201, 201, 429]);
      } finally {
        await t.close();
      }
    });
  }

  it('refuses settings that are neither a hop count nor addresses', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(ConfigError);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, ::1' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});

describe('payment methods are capped and paginated', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('pglite');
  });
  afterAll(async () => t?.close());

  it('refuses the 21st method with 422 and pages through the 20 it keeps', async () => {
    const s = await registerCustomer(t.app);
    const add = () => t.app.inject({ method: 'POST', url: '/v1/payment-methods', headers: s.auth, payload: { token: 'tok_visa' } });
    const added = await Promise.all(Array.from({ length: 20 }, add));
    expect(added.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const refused = await add();
    expect([refused.statusCode, errorCode(refused)]).toEqual([422, 'too_many_payment_methods']);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: LightMyRequestResponse = await t.app.inject({ method: 'GET', url: `/v1/payment-methods?limit=7${cursor ? `&cursor=${cursor}` : ''}`, headers: s.auth });
      expect(page.statusCode).toBe(200);
      expect(page.json().payment_methods.length).toBeLessThanOrEqual(7);
      seen.push(...page.json().payment_methods.map((m: { id: string }) => m.id));
      cursor = page.json().next_cursor;
    } while (cursor);
    expect(seen).toEqual(added.map((r) => r.json().id).sort());

    // Deleting one makes room again.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/payment-methods/${seen[0]}`, headers: s.auth })).statusCode).toBe(204);
    expect((await add()).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/v1/payment-methods?limit=101', headers: s.auth })).statusCode).toBe(400);
  });
});

describe('security headers and CORS', () => {
  it('sends nosniff and a CSP that forbids framing on API answers, and a CSP that fits the docs page', async () => {
    const t = await createTestApp('pglite');
    try {
      for (const url of ['/v1/products', '/v1/nowhere', '/healthz']) {
        const response = await t.app.inject({ method: 'GET', url });
        expect(response.headers['x-content-type-options'], url).toBe('nosniff');
        expect(response.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
        expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      }
      const docs = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(docs.statusCode).toBe(200);
      expect(docs.headers['content-type']).toMatch(/text\/html/);
      const csp = String(docs.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'self'");
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(docs.headers['x-content-type-options']).toBe('nosniff');
      // No CORS unless configured.
      const preflight = await t.app.inject({ method: 'OPTIONS', url: '/v1/cart', headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'GET' } });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('answers CORS, with credentials, only for the origins CORS_ORIGINS lists', async () => {
    const t = await createTestApp('pglite', { CORS_ORIGINS: 'https://shop.example.com' });
    try {
      const allowed = await t.app.inject({
        method: 'OPTIONS',
        url: '/v1/cart/items',
        headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
      });
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers['access-control-allow-headers'])).toContain('idempotency-key');
      const simple = await t.app.inject({ method: 'GET', url: '/v1/products', headers: { origin: 'https://shop.example.com' } });
      expect(simple.headers['access-control-allow-origin']).toBe('https://shop.example.com');
      expect(String(simple.headers.vary)).toMatch(/origin/i);
      const evil = await t.app.inject({ method: 'GET', url: '/v1/products', headers: { origin: 'https://evil.example.net' } });
      // Without Allow-Origin a browser lets no script read the answer, credentialed or not.
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
    expect(() => loadConfig({ CORS_ORIGINS: 'https://shop.example.com/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(ConfigError);
  });
});

describe('/metrics', () => {
  it('is open on the API port by default', async () => {
    const t = await createTestApp('pglite');
    try {
      const response = await t.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('bazaar_http_request_duration_seconds');
    } finally {
      await t.close();
    }
  });

  it('needs the bearer token when METRICS_TOKEN is set (and ignores session tokens)', async () => {
    const token = 'metrics-secret-0123456789';
    const t = await createTestApp('pglite', { METRICS_TOKEN: token });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const wrong = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } });
      expect([wrong.statusCode, errorCode(wrong)]).toEqual([401, 'unauthenticated']);
      const session = await registerCustomer(t.app);
      expect((await t.app.inject({ method: 'GET', url: '/metrics', headers: session.auth })).statusCode).toBe(401);
      const right = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
      expect(right.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('moves to its own listener with METRICS_PORT, and is gone from the API port', async () => {
    const t = await createTestApp('pglite', { METRICS_PORT: '9464' });
    const metrics = await startMetricsServer(t.ctx, 0);
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
      const port = (metrics.server.address() as AddressInfo).port;
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('bazaar_http_request_duration_seconds');
      expect((await fetch(`http://127.0.0.1:${port}/v1/products`)).status).toBe(404);
    } finally {
      await metrics.close();
      await t.close();
    }
    expect(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' })).toThrow(ConfigError);
  });
});
