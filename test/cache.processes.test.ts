import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, randomToken } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, deleteStream } from './helpers/lifecycle.ts';
import { startBazaar, type ServingProcess as BazaarProcess } from './helpers/serving-processes.ts';
import { createWarehouse } from './helpers/shop.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const NATS_URL = process.env.TEST_NATS_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;

interface Variant {
  name: string;
  env: () => Record<string, string>;
  /** The bound: 2 s on the in-process bus, 5 s on NATS. */
  boundMs: number;
  nats?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'in-process bus, PostgreSQL NOTIFY between processes', env: () => ({}), boundMs: 2000 },
  ...(NATS_URL ? [{ name: 'NATS JetStream bus, NATS core between processes', env: () => ({ NATS_URL }), boundMs: 5000, nats: true }] : []),
  ...(REDIS_URL ? [{ name: 'in-process bus, Redis shared level and pub/sub', env: () => ({ REDIS_URL, REDIS_KEY_PREFIX: `test:${randomToken(6)}:` }), boundMs: 2000 }] : []),
];

const ADMIN = { accountId: newId(), role: 'admin' as const };

// Several processes on one database need a server: PostgreSQL only.
describe.skipIf(!DATABASE_URL).each(VARIANTS)('cache invalidation across two API processes ($name)', (variant) => {
  let t: TestApp;
  const processes: BazaarProcess[] = [];
  let api: BazaarProcess[] = [];
  let adminToken: string;
  const prefix = uniquePrefix();

  const page = async (base: string, id: string) => (await (await fetch(`${base}/v1/products/${id}`)).json()) as { price: { amount: number }; availability: string };
  const origin = async (base: string, id: string) => (await fetch(`${base}/v1/products/${id}`)).headers.get('x-origin-cache');

  /** Milliseconds from `since` until every API process shows `expected`. */
  const visibleEverywhere = async (since: number, probe: (base: string) => Promise<boolean>): Promise<number> => {
    const pending = new Set(api.map((p) => p.url));
    const deadline = since + 20_000;
    while (pending.size > 0) {
      if (Date.now() > deadline) throw new Error(`still stale on ${[...pending].join(', ')}`);
      for (const base of [...pending]) if (await probe(base)) pending.delete(base);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - since;
  };

  /** Caches the page on both, once the worker has handled the product's creation (which invalidates it too). */
  const cacheOnBoth = async (id: string) => {
    const deadline = Date.now() + 15_000;
    let settled = 0;
    while (settled < 2) {
      if (Date.now() > deadline) throw new Error('the page never stayed cached on both processes');
      const origins = await Promise.all(api.map((p) => origin(p.url, id)));
      settled = origins.every((o) => o === 'l1') ? settled + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };

  beforeAll(async () => {
    if (variant.nats) await assertNatsReachable();
    // This process only prepares data and writes "from elsewhere": its caches are its own.
    t = await createTestApp('postgres', { NATS_STREAM_PREFIX: prefix });
    const env = {
      ...variant.env(),
      NATS_STREAM_PREFIX: prefix,
      DATABASE_URL: t.databases.urls!.main,
      DB_POOL_SIZE: '4',
      // Long lifetimes, so only an invalidation can explain a change.
      PRODUCT_CACHE_SECONDS: '300',
      CACHE_L1_SECONDS: '300',
      DEMO_SEED_PRODUCTS: '0',
    };
    const email = `admin-${randomToken(6)}@example.com`;
    await t.ctx.services.identity.createAdmin({ email, password: 'admin password 1', name: 'Admin' });
    processes.push(...(await Promise.all([startBazaar('api A', ['serve'], env), startBazaar('api B', ['serve'], env), startBazaar('worker', ['worker'], env, { http: false })])));
    api = processes.slice(0, 2);
    const login = await fetch(`${api[0]!.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'admin password 1' }) });
    adminToken = ((await login.json()) as { token: string }).token;
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all(processes.map((p) => p.stop()));
    await t?.close();
    if (variant.nats) await deleteStream(prefix);
    expect(codes, processes.map((p) => `${p.name}:\n${p.output()}`).join('\n---\n')).toEqual(processes.map(() => 0));
  });

  it(`shows a price change made through one process on every process within ${variant.boundMs} ms`, async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx, { price: 1000 });
    await cacheOnBoth(id!);
    const started = Date.now();
    const patch = await fetch(`${api[0]!.url}/v1/admin/products/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ price: { amount: 1500, currency: 'USD' } }),
    });
    expect(patch.status).toBe(200);
    const elapsed = await visibleEverywhere(started, async (base) => (await page(base, id!)).price.amount === 1500);
    console.info(`[${variant.name}] price change through an API process visible everywhere after ${elapsed} ms`);
    expect(elapsed).toBeLessThanOrEqual(variant.boundMs);
  });

  it(`carries a change written by another process through the cache invalidator within ${variant.boundMs} ms`, async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx, { price: 1000 });
    await cacheOnBoth(id!);
    const started = Date.now();
    await t.ctx.services.catalog.updateProduct(ADMIN, id!, { price: { amount: 2000, currency: 'USD' } });
    const elapsed = await visibleEverywhere(started, async (base) => (await page(base, id!)).price.amount === 2000);
    console.info(`[${variant.name}] price change by another writer visible everywhere after ${elapsed} ms`);
    expect(elapsed).toBeLessThanOrEqual(variant.boundMs);
  });

  it(`shows restocked availability on every process within ${variant.boundMs} ms`, async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const warehouse = await createWarehouse(t.ctx);
    await cacheOnBoth(id!);
    expect((await page(api[1]!.url, id!)).availability).toBe('out_of_stock');
    const started = Date.now();
    await t.ctx.services.inventory.setTotalStock(id!, warehouse.id, 25);
    const elapsed = await visibleEverywhere(started, async (base) => (await page(base, id!)).availability === 'in_stock');
    console.info(`[${variant.name}] restock visible everywhere after ${elapsed} ms`);
    expect(elapsed).toBeLessThanOrEqual(variant.boundMs);
  });
});
