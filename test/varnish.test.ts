import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/app/context.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { freePort } from './helpers/processes.ts';
import { startBazaar, type ServingProcess as BazaarProcess } from './helpers/serving-processes.ts';
import { createWarehouse } from './helpers/shop.ts';
import { request, startVarnish, varnishd, type Varnish } from './helpers/varnish.ts';

const ADMIN = { email: 'varnish-admin@example.com', password: 'admin password 1' };
const json = { 'content-type': 'application/json' };

describe.skipIf(!varnishd())('Varnish in front of the API (deploy/varnish)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-varnish-test-'));
  let origin: BazaarProcess;
  let varnish: Varnish;
  let productId: string;
  let categoryId: number;
  let adminToken: string;

  const through = (url: string, headers: Record<string, string> = {}) => request('GET', `${varnish.url}${url}`, headers);
  const price = async (url: string) => JSON.parse((await through(url)).body).price.amount as number;

  beforeAll(async () => {
    const env = { DATA_DIR: dir, PGLITE_PATH: path.join(dir, 'pglite') };
    // Prepare the shop, then hand the embedded database to the origin process.
    const ctx = await createContext(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), collectDefaultMetrics: false });
    await ctx.services.identity.createAdmin({ ...ADMIN, name: 'Admin' });
    const fixture = await createCatalogFixture(ctx, { products: 2, price: 1000 });
    [productId, categoryId] = [fixture.productIds[0]!, fixture.categoryId];
    await ctx.services.inventory.setTotalStock(productId, (await createWarehouse(ctx)).id, 30);
    await ctx.close();

    const port = await freePort();
    varnish = await startVarnish(`127.0.0.1:${port}`, path.join(dir, 'varnish'), { HEALTHY_GRACE: '1' });
    origin = await startBazaar('origin', ['all', '--no-demo'], {
      ...env,
      CDN_PURGE_URLS: varnish.url,
      EVENTS_POLL_INTERVAL_MS: '50',
      // Product pages live long, so only a ban explains a change; the category tree expires quickly, to prove grace.
      PRODUCT_CACHE_SECONDS: '120',
      CATEGORY_CACHE_SECONDS: '2',
      CACHE_STALE_SECONDS: '1',
    }, { port });
    // Varnish started first, so its probe has yet to see the origin healthy.
    const deadline = Date.now() + 20_000;
    while ((await request('GET', `${varnish.url}/healthz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`Varnish never reached the origin:\n${varnish.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const login = await request('POST', `${varnish.url}/v1/auth/login`, json, { body: JSON.stringify(ADMIN) });
    adminToken = JSON.parse(login.body).token;
  }, 120_000);

  afterAll(async () => {
    await origin?.stop();
    await varnish?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers the second request from its cache, also for an equivalent list URL', async () => {
    const first = await through(`/v1/products/${productId}`);
    const second = await through(`/v1/products/${productId}`);
    expect([first.status, first.headers['x-cache'], second.headers['x-cache']]).toEqual([200, 'MISS', 'HIT']);
    expect(second.body).toBe(first.body);
    expect(second.headers['surrogate-key']).toBeUndefined();
    const list = await through(`/v1/products?limit=5&category=${categoryId}`);
    const same = await through(`/v1/products?category=${categoryId}&utm_source=newsletter&limit=5`);
    expect([list.headers['x-cache'], same.headers['x-cache']]).toEqual(['MISS', 'HIT']);
  });

  it('never answers a signed-in request from its cache, nor shares its answer', async () => {
    const email = `shopper-${Date.now()}@example.com`;
    const registered = await request('POST', `${varnish.url}/v1/auth/register`, json, { body: JSON.stringify({ email, password: 'correct horse battery', name: 'Ada' }) });
    const auth = { authorization: `Bearer ${JSON.parse(registered.body).token}` };
    await request('POST', `${varnish.url}/v1/addresses`, { ...json, ...auth }, { body: JSON.stringify({ line1: '1 Main Street', city: 'New York', region: 'NY', postal_code: '10001', country: 'US' }) });
    for (let i = 0; i < 3; i++) {
      const personal = await through(`/v1/products/${productId}`, auth);
      expect(personal.headers['x-cache']).not.toBe('HIT');
      expect(JSON.parse(personal.body).delivery_estimate).toMatchObject({ to_postal_code: '10001' });
      const withCookie = await through(`/v1/products/${productId}`, { cookie: 'theme=dark; bz_session=abc' });
      expect(withCookie.headers['x-cache']).not.toBe('HIT');
    }
    const anonymous = await through(`/v1/products/${productId}`, { cookie: 'theme=dark' });
    expect([anonymous.headers['x-cache'], anonymous.body.includes('10001')]).toEqual(['HIT', false]);
  });

  it("shows a price change within 5 s of the admin's PATCH", async () => {
    await through(`/v1/products/${productId}`);
    expect((await through(`/v1/products/${productId}`)).headers['x-cache']).toBe('HIT');
    const started = Date.now();
    const patch = await request('PATCH', `${varnish.url}/v1/admin/products/${productId}`, { ...json, authorization: `Bearer ${adminToken}` }, {
      body: JSON.stringify({ price: { amount: 1234, currency: 'USD' } }),
    });
    expect(patch.status).toBe(200);
    while ((await price(`/v1/products/${productId}`)) !== 1234) {
      if (Date.now() - started > 5000) throw new Error('Varnish still serves the old price 5 s after the PATCH');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    console.info(`price change visible through Varnish after ${Date.now() - started} ms`);
  });

  it('accepts PURGE and BAN only from the API hosts', async () => {
    const elsewhere = { localAddress: '127.0.0.2' };
    expect((await request('BAN', `${varnish.url}/`, { 'x-ban-tags': `product:${productId}` }, elsewhere)).status).toBe(403);
    expect((await request('PURGE', `${varnish.url}/v1/products/${productId}`, {}, elsewhere)).status).toBe(403);
    expect((await request('BAN', `${varnish.url}/`, { 'x-ban-tags': 'a|.*' })).status).toBe(400);
    await through('/v1/categories');
    expect((await through('/v1/categories')).headers['x-cache']).toBe('HIT');
    expect((await request('BAN', `${varnish.url}/`, { 'x-ban-tags': 'categories' })).status).toBe(200);
    expect((await through('/v1/categories')).headers['x-cache']).toBe('MISS');
  });

  it('keeps serving cached pages while the origin is stopped', async () => {
    const tree = await through('/v1/categories');
    const page = await through(`/v1/products/${productId}`);
    expect(await origin.stop()).toBe(0);
    // Past the tree's 2 s freshness and the healthy grace, and long enough for the probe to call the origin sick (4 failures).
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const staleTree = await through('/v1/categories');
    expect([staleTree.status, staleTree.body, staleTree.headers['x-cache']]).toEqual([200, tree.body, 'HIT']);
    expect(Number(staleTree.headers.age)).toBeGreaterThan(2);
    const cachedPage = await through(`/v1/products/${productId}`);
    expect([cachedPage.status, cachedPage.body]).toEqual([200, page.body]);
  });
});
