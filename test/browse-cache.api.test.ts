import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createAdminSession, createTestApp, ManualClock, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';
import { createBuyer, createWarehouse, stockedProducts } from './helpers/shop.ts';
import { waitFor } from './helpers/wait.ts';
import { closedPort } from './helpers/events.ts';
import { CuttableProxy } from './helpers/proxy.ts';
import { CacheTags } from '../src/app/cache-invalidator.ts';
import { newId, randomToken } from '../src/platform/ids.ts';

describe.each(BACKENDS)('cached browse responses (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });
  const origin = (response: LightMyRequestResponse) => response.headers['x-origin-cache'];
  const renders = () => t.ctx.browse.responses.counters.renders.count;

  beforeAll(async () => {
    t = await createTestApp(backend, { EVENTS_POLL_INTERVAL_MS: '20', EVENTS_RETRY_BASE_MS: '20' });
    admin = await createAdminSession(t.ctx, t.app);
  });
  afterAll(async () => t?.close());

  it('answers a repeated anonymous request from the cache with the same bytes, ETag and a 304', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const first = await get(`/v1/products/${id}`);
    const before = renders();
    const second = await get(`/v1/products/${id}`);
    expect([origin(first), origin(second), renders() - before]).toEqual(['render', 'l1', 0]);
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['surrogate-key']).toBe(`product:${id}`);
    expect(second.headers.vary).toBe('authorization');
    expect(Number(second.headers.age)).toBeGreaterThanOrEqual(0);
    const revalidated = await get(`/v1/products/${id}`, { 'if-none-match': String(first.headers.etag) });
    expect([revalidated.statusCode, revalidated.body, revalidated.headers.etag]).toEqual([304, '', first.headers.etag]);
    expect(revalidated.headers['cache-control']).toBe(first.headers['cache-control']);
  });

  it('reads the database once for 200 concurrent misses of one product', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx);
    const { catalog, inventory } = t.ctx.services;
    const calls = { product: 0, availability: 0 };
    const [getProduct, getAvailability] = [catalog.getProduct, inventory.getAvailability];
    catalog.getProduct = async (...args) => (calls.product++, getProduct.apply(catalog, args));
    inventory.getAvailability = async (...args) => (calls.availability++, getAvailability.apply(inventory, args));
    try {
      const answers = await Promise.all(Array.from({ length: 200 }, () => get(`/v1/products/${id}`)));
      expect(answers.every((a) => a.statusCode === 200 && a.body === answers[0]!.body)).toBe(true);
      expect(calls).toEqual({ product: 1, availability: 1 });
    } finally {
      catalog.getProduct = getProduct;
      inventory.getAvailability = getAvailability;
    }
  });

  it('never lets a signed-in page, with its delivery promise, reach a shared entry', async () => {
    const { productIds: [id] } = await stockedProducts(t.ctx, { stock: 50 });
    const buyer = await createBuyer(t.app);
    const url = `/v1/products/${id}`;
    const before = renders();

    const personal = await get(url, buyer.auth);
    expect(personal.json().delivery_estimate).toMatchObject({ to_postal_code: '10001' });
    expect([origin(personal), personal.headers['cache-control'], personal.headers['surrogate-key']]).toEqual(['bypass', 'private, no-cache', undefined]);
    expect(renders()).toBe(before);

    const anonymous = await get(url);
    expect([origin(anonymous), anonymous.json().delivery_estimate, anonymous.body.includes('10001')]).toEqual(['render', undefined, false]);
    expect(anonymous.headers['cache-control']).toMatch(/^public/);

    const again = await get(url, buyer.auth);
    expect([origin(again), again.json().delivery_estimate?.to_postal_code]).toEqual(['bypass', '10001']);
    const other = await registerCustomer(t.app);
    const otherPage = await get(url, other.auth);
    expect([origin(otherPage), otherPage.json().delivery_estimate]).toEqual(['bypass', null]);
    for (const entry of await sharedEntries(t)) expect(entry).not.toContain('delivery_estimate');
  });

  it('shows a price change on the page and on every cached list that shows it, at once', async () => {
    const { productIds: [id], categoryId } = await createCatalogFixture(t.ctx, { price: 1000 });
    const pageUrl = `/v1/products/${id}`;
    const lists = [`/v1/products?category=${categoryId}`, `/v1/products?limit=100`];
    for (const url of [pageUrl, ...lists]) expect(origin(await get(url))).toBe('render');
    for (const url of [pageUrl, ...lists]) expect(origin(await get(url))).toBe('l1');
    const patch = await t.app.inject({ method: 'PATCH', url: `/v1/admin/products/${id}`, headers: admin.auth, payload: { price: { amount: 1500, currency: 'USD' } } });
    expect(patch.statusCode).toBe(200);
    expect((await get(pageUrl)).json().price.amount).toBe(1500);
    for (const url of lists) expect((await get(url)).json().products.find((p: { id: string }) => p.id === id).price.amount).toBe(1500);
  });

  it('shares one entry between equivalent list URLs and shows new products and categories at once', async () => {
    const { categoryId, sellerId } = await createCatalogFixture(t.ctx);
    const a = await get(`/v1/products?category=${categoryId}&limit=20`);
    const b = await get(`/v1/products?limit=20&category=${categoryId}`);
    const c = await get(`/v1/products?category=${categoryId}`);
    expect([origin(a), origin(b), origin(c)]).toEqual(['render', 'l1', 'l1']);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/products',
      headers: admin.auth,
      payload: { seller_id: sellerId, title: 'Brand new', category_id: categoryId, price: { amount: 700, currency: 'USD' } },
    });
    expect((await get(`/v1/products?category=${categoryId}`)).json().products[0].id).toBe(created.json().id);

    expect(origin(await get('/v1/categories'))).toMatch(/render|l1/);
    expect(origin(await get('/v1/categories'))).toBe('l1');
    const category = await t.app.inject({ method: 'POST', url: '/v1/admin/categories', headers: admin.auth, payload: { name: 'Fresh', slug: `fresh-${Date.now()}` } });
    const tree = (await get('/v1/categories')).json().categories.map((node: { id: number }) => node.id);
    expect(tree).toContain(category.json().id);
  });

  it('evicts cached availability when stock changes: the page follows search within seconds', async () => {
    const { productIds: [id] } = await createCatalogFixture(t.ctx, { titlePrefix: `Restockable ${Date.now().toString(36)}` });
    const warehouse = await createWarehouse(t.ctx);
    await t.ctx.events.start();
    try {
      const url = `/v1/products/${id}`;
      expect((await get(url)).json().availability).toBe('out_of_stock');
      expect(origin(await get(url))).toBe('l1');
      const put = await t.app.inject({ method: 'PUT', url: `/v1/admin/inventory/${id}/warehouses/${warehouse.id}`, headers: admin.auth, payload: { total_stock: 40 } });
      expect(put.statusCode).toBe(200);
      const title = (await get(url)).json().title as string;
      await waitFor(
        async () => (await get(`/v1/search?q=${encodeURIComponent(title)}&in_stock=true`)).json().products.map((p: { id: string }) => p.id),
        (ids) => ids.includes(id),
        'search to show the product in stock',
        20_000,
      );
      await waitFor(async () => (await get(url)).json().availability, (a) => a === 'in_stock', 'the page to show the restock', 2_000);
    } finally {
      await t.ctx.events.stop();
    }
  });

  it('keeps a family page fresh when the family, a child, or its membership changes', async () => {
    const { categoryId, sellerId } = await createCatalogFixture(t.ctx);
    const post = async (url: string, payload: object) => (await t.app.inject({ method: 'POST', url, headers: admin.auth, payload })).json();
    const patch = (url: string, payload: object) => t.app.inject({ method: 'PATCH', url, headers: admin.auth, payload });
    const family = await post('/v1/admin/families', { seller_id: sellerId, title: 'Runner', category_id: categoryId, axes: [{ name: 'size', values: ['8', '9'] }] });
    const child = (size: string, amount: number) =>
      post('/v1/admin/products', { seller_id: sellerId, title: `Runner ${size}`, category_id: categoryId, price: { amount, currency: 'USD' }, family_id: family.id, options: { size } });
    const eight = await child('8', 5000);
    const url = `/v1/families/${family.id}`;
    const cached = async () => {
      await get(url);
      const again = await get(url);
      expect(origin(again)).toBe('l1');
      return again.json();
    };
    expect((await cached()).variants.map((v: { product_id: string }) => v.product_id)).toEqual([eight.id]);

    expect((await patch(`/v1/admin/families/${family.id}`, { title: 'Runner II' })).statusCode).toBe(200);
    expect((await get(url)).json().title).toBe('Runner II');
    await cached();
    expect((await patch(`/v1/admin/products/${eight.id}`, { price: { amount: 4500, currency: 'USD' } })).statusCode).toBe(200);
    expect((await get(url)).json().variants[0].price.amount).toBe(4500);
    await cached();
    const nine = await child('9', 5500);
    expect((await get(url)).json().variants.map((v: { product_id: string }) => v.product_id).sort()).toEqual([eight.id, nine.id].sort());
    await cached();
    expect((await patch(`/v1/admin/products/${nine.id}`, { family_id: null })).statusCode).toBe(200);
    expect((await get(url)).json().variants.map((v: { product_id: string }) => v.product_id)).toEqual([eight.id]);
  });

  it('reports lookups and the hit ratio on /metrics', async () => {
    const text = (await get('/metrics')).body;
    expect(text).toMatch(/bazaar_cache_requests_total\{layer="l1",result="hit"\} [1-9]/);
    expect(text).toMatch(/bazaar_cache_requests_total\{layer="l1",result="bypass"\} [1-9]/);
    expect(text).toMatch(/bazaar_cache_hit_ratio\{layer="all"\} 0\.\d+/);
  });
});

/** Every entry of the in-process level, as text. */
async function sharedEntries(t: TestApp): Promise<string[]> {
  await t.app.inject({ method: 'GET', url: '/v1/products?limit=100' });
  return t.ctx.browse.responses.localEntries().map((entry) => entry.body.toString());
}

describe('availability on cached pages without an event (reservations)', () => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await createTestApp('pglite', {}, { clock });
  });
  afterAll(async () => t?.close());

  it('is never older than freshness plus the stale window, and a page in demand follows sooner', async () => {
    const reserveAll = (productId: string) =>
      t.ctx.services.inventory.reserve({ checkoutId: newId(), lines: [{ productId, quantity: 1 }], destination: { latitude: 40.7, longitude: -74 } });
    const availability = async (id: string) => (await t.app.inject({ method: 'GET', url: `/v1/products/${id}` })).json().availability;
    const { productCacheSeconds: fresh, cacheStaleSeconds: stale } = t.ctx.config;
    const { productIds: [quiet, busy] } = await stockedProducts(t.ctx, { products: 2, stock: 1 });
    expect([await availability(quiet!), await availability(busy!)]).toEqual(['low_stock', 'low_stock']);
    // Reservations emit no event: only time makes the pages follow.
    await reserveAll(quiet!);
    await reserveAll(busy!);
    clock.advance(fresh * 900);
    expect(await availability(busy!)).toBe('low_stock');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await availability(busy!)).toBe('out_of_stock');
    clock.advance(fresh * 100 + stale * 1000 + 1);
    expect(await availability(quiet!)).toBe('out_of_stock');
  });
});

const REDIS_URL = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS_URL)('cached browse responses while Redis goes away and comes back', () => {
  let t: TestApp;
  let proxy: CuttableProxy;
  const get = (url: string) => t.app.inject({ method: 'GET', url });
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec((await get('/metrics')).body)?.[1]);

  beforeAll(async () => {
    proxy = new CuttableProxy(new URL(REDIS_URL!), await closedPort());
    await proxy.open();
    t = await createTestApp('pglite', { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_KEY_PREFIX: `test:${randomToken(6)}:` });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.cut();
  });

  it('keeps serving pages from the process and the database, never an error', async () => {
    const { productIds } = await createCatalogFixture(t.ctx, { products: 6 });
    for (const id of productIds.slice(0, 3)) expect((await get(`/v1/products/${id}`)).statusCode).toBe(200);
    expect(await metric('bazaar_cache_l2_up')).toBe(1);
    await proxy.cut();
    for (let round = 0; round < 5; round++) {
      for (const id of productIds) {
        const response = await get(`/v1/products/${id}`);
        expect([response.statusCode, response.json().id]).toEqual([200, id]);
      }
      expect((await get('/v1/products?limit=10')).statusCode).toBe(200);
    }
    expect(await metric('bazaar_cache_l2_up')).toBe(0);
    expect(t.ctx.browse.responses.counters.l2Error.count).toBeGreaterThan(0);

    await proxy.open();
    await waitFor(
      async () => {
        await t.ctx.browse.invalidate([CacheTags.product(productIds[0]!)], { cdn: false }).catch(() => undefined);
        await get(`/v1/products/${productIds[0]}`);
        return metric('bazaar_cache_l2_up');
      },
      (up) => up === 1,
      'the shared level to be used again',
      10_000,
    );
  });
});
