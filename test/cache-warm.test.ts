import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTopProducts, warmCaches } from '../src/app/cache-warm.ts';
import { workerJobs } from '../src/app/worker.ts';
import { randomToken } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';
import { createBuyer, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';
import { addToCart, checkout } from './helpers/shop.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.each(BACKENDS)('cache warming (%s)', (backend) => {
  let t: TestApp;
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const setRating = (id: string, avg: number, reviews: number) =>
    t.ctx.databases.main.updateTable('products').set({ avg_rating: avg, review_count: reviews }).where('id', '=', id).execute();

  beforeAll(async () => {
    t = await createTestApp(backend, { ...FAST_PAYMENTS, CACHE_WARM_INTERVAL_SECONDS: '60', CACHE_WARM_TOP: '3' });
  });
  afterAll(async () => t?.close());

  it('ranks recent views first, then recent orders, then rating × reviews, active products only', async () => {
    await t.ctx.databases.main.updateTable('products').set({ avg_rating: 0, review_count: 0 }).execute();
    const { productIds: [viewed, rated, inactive] } = await createCatalogFixture(t.ctx, { products: 3 });
    const { productIds: [ordered] } = await stockedProducts(t.ctx, { stock: 10 });
    await setRating(rated!, 4.5, 1000);
    await setRating(inactive!, 5, 9999);
    await t.ctx.services.catalog.updateProduct({ accountId: randomToken(4), role: 'admin' }, inactive!, { status: 'inactive' });
    for (let i = 0; i < 3; i++) await get(`/v1/products/${viewed}`);
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, ordered!, 2);
    expect((await checkout(t.app, buyer)).statusCode).toBe(201);

    const top = await selectTopProducts(t.ctx, 3);
    expect(top.ids).toEqual([viewed, ordered, rated]);
    expect(top.bySource).toEqual({ views: 1, orders: 1, rating: 1 });
  });

  it('renders the chosen pages into the cache, with progress, so shoppers get hits', async () => {
    const { productIds } = await createCatalogFixture(t.ctx, { products: 3 });
    for (const [i, id] of productIds.entries()) await setRating(id, 5, 100_000 + i);
    const progress: [number, number][] = [];
    const report = await warmCaches(t.ctx, { top: 3, onProgress: (done, total) => progress.push([done, total]) });
    expect(report).toMatchObject({ pages: 5, primed: 5, failed: 0, cdnFetched: 0 });
    expect(progress.at(-1)).toEqual([5, 5]);
    const before = t.ctx.browse.responses.counters.renders.count;
    for (const id of report.ids) expect((await get(`/v1/products/${id}`)).headers['x-origin-cache']).toBe('l1');
    expect((await get('/v1/categories')).headers['x-origin-cache']).toBe('l1');
    expect(t.ctx.browse.responses.counters.renders.count).toBe(before);
  });

  it('can run in the worker on a schedule', async () => {
    const job = workerJobs(t.ctx).find((j) => j.name === 'cache.warm');
    expect(job?.intervalMs).toBe(60_000);
    t.ctx.browse.responses.clearLocal();
    await job!.run();
    expect(t.ctx.browse.responses.localEntries().length).toBeGreaterThanOrEqual(5);
  });
});

describe('bazaar cache warm', () => {
  it('refuses when no cache would outlive the command', async () => {
    const result = await runCli(['cache', 'warm', '--top', '5'], { PGLITE_PATH: 'memory://' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing_to_warm');
  });

  const DATABASE_URL = process.env.TEST_DATABASE_URL;
  const REDIS_URL = process.env.TEST_REDIS_URL;
  describe.skipIf(!DATABASE_URL || !REDIS_URL)('with PostgreSQL and Redis', () => {
    let t: TestApp;
    const prefix = `test:${randomToken(6)}:`;
    beforeAll(async () => {
      t = await createTestApp('postgres', { REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix });
    });
    afterAll(async () => t?.close());

    it('fills Redis for the API processes, showing progress', async () => {
      const { productIds } = await createCatalogFixture(t.ctx, { products: 4 });
      const result = await runCli(['cache', 'warm', '--top', '4'], { DATABASE_URL: t.databases.urls!.main, REDIS_URL: REDIS_URL!, REDIS_KEY_PREFIX: prefix });
      expect([result.code, result.stderr]).toEqual([0, expect.stringContaining('Warming 4 products')]);
      expect(result.stdout).toMatch(/Warmed 4 products .* 6 pages rendered into Redis/);
      for (const id of productIds) expect((await t.app.inject({ method: 'GET', url: `/v1/products/${id}` })).headers['x-origin-cache']).toBe('l2');
    });
  });
});
