import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogPrincipal } from '../src/modules/catalog/index.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, errorCode, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { waitFor } from './helpers/wait.ts';

const admin: CatalogPrincipal = { accountId: newId(), role: 'admin' };

/** The index is eventually consistent (seconds), by design. */
const INDEX_LAG_MS = 10_000;

describe.each(BACKENDS)('search over HTTP (%s)', (backend) => {
  let t: TestApp;
  const ids: Record<string, string> = {};

  const get = async (url: string) => t.app.inject({ method: 'GET', url });
  const search = async (query: string) => (await get(`/v1/search?${query}`)).json();
  const titles = (body: { products: { title: string }[] }) => body.products.map((p) => p.title);

  beforeAll(async () => {
    // Facet counts uncached, so totals are as fresh as hits while polling for an event's effect.
    t = await createTestApp(backend, { EVENTS_POLL_INTERVAL_MS: '20', EVENTS_RETRY_BASE_MS: '20', SEARCH_FACET_CACHE_SECONDS: '0' });
    const { catalog } = t.ctx.services;
    const seller = await catalog.createSeller(admin, { name: 'Search seller', kind: 'first_party' });
    const sports = await catalog.createCategory(admin, { name: 'Sports & Outdoors', slug: 'sports' });
    const running = await catalog.createCategory(admin, { name: 'Running Shoes', slug: 'running-shoes', parentId: sports.id });
    const home = await catalog.createCategory(admin, { name: 'Home & Kitchen', slug: 'home' });
    const products: [string, string, string, number, number][] = [
      ['road', 'Stride Road Running Shoes', 'Stride', running.id, 4500],
      ['racer', 'Stride Racer Running Shoes', 'Stride', running.id, 8900],
      ['swift', "Swift Men's Running Shoe", 'Swiftfoot', running.id, 3900],
      ['kettle', 'Acme Electric Kettle', 'Acme', home.id, 3400],
    ];
    for (const [handle, title, brand, categoryId, amount] of products) {
      const product = await catalog.createProduct(admin, { sellerId: seller.id, title, brand, categoryId, price: { amount, currency: 'USD' } });
      ids[handle] = product.id;
    }
    // The worker's part: the outbox relay and the consumers the context registered, in this process.
    await t.ctx.events.start();
  });
  afterAll(async () => t?.close());

  it('indexes new products from their events, without a reindex', async () => {
    const body = await waitFor(() => search('q=running+shoes'), (b) => b.total_count === 3 && b.products.length === 3, 'search for q=running+shoes', INDEX_LAG_MS);
    expect(body.degraded, JSON.stringify(body)).toBe(false);
    expect(new Set(titles(body))).toEqual(new Set(['Stride Road Running Shoes', 'Stride Racer Running Shoes', "Swift Men's Running Shoe"]));
  });

  it('answers in the documented shape, with price read from the text and facets', async () => {
    const response = await get('/v1/search?q=running+shoes+under+$50&category=sports');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('max-age');
    const body = response.json();
    expect(body.query).toEqual({ text: 'running shoes', corrected: false, match: 'all', price_min: null, price_max: 5000 });
    expect(new Set(titles(body))).toEqual(new Set(['Stride Road Running Shoes', "Swift Men's Running Shoe"]));
    expect(body.products[0]).toMatchObject({ price: { currency: 'USD' }, category: { path: 'sports/running-shoes', name: 'Running Shoes' } });
    expect(body.facets.brands).toEqual(
      expect.arrayContaining([
        { value: 'Stride', count: 1, selected: false },
        { value: 'Swiftfoot', count: 1, selected: false },
      ]),
    );
    // The price facet ignores the price filter: the $89 racer is counted in its range.
    expect(body.facets.price_ranges.find((r: { min: number }) => r.min === 5000).count).toBe(1);
    expect(body.next_cursor).toBeNull();
  });

  it('shows a price change and a deactivation within seconds, through the consumer', async () => {
    const { catalog } = t.ctx.services;
    await catalog.updateProduct(admin, ids.racer!, { price: { amount: 4900, currency: 'USD' } });
    await waitFor(() => search('q=racer'), (b) => b.products[0]?.price.amount === 4900, 'search for q=racer', INDEX_LAG_MS);

    await catalog.updateProduct(admin, ids.kettle!, { status: 'inactive' });
    await waitFor(() => search('q=kettle'), (b) => b.total_count === 0, 'search for q=kettle', INDEX_LAG_MS);
    await catalog.updateProduct(admin, ids.kettle!, { status: 'active', title: 'Acme Gooseneck Kettle' });
    // Hits and the total are two statements, so for an instant one may see the change before the other does.
    const back = await waitFor(() => search('q=gooseneck'), (b) => b.total_count === 1 && b.products.length === 1, 'search for q=gooseneck', INDEX_LAG_MS);
    expect(titles(back)).toEqual(['Acme Gooseneck Kettle']);
  });

  it('corrects misspellings, and finds nothing (offering each word) when the words never meet', async () => {
    const corrected = await search('q=runnig+shoes');
    expect(corrected).toMatchObject({ did_you_mean: 'running shoes', query: { corrected: true }, total_count: 3, suggestions: [] });
    const apart = await search('q=ketle+strde');
    expect(apart).toMatchObject({ total_count: 0, products: [], did_you_mean: 'kettle stride' });
    expect(apart.suggestions.map((s: { text: string }) => s.text).sort()).toEqual(['kettle', 'stride']);
  });

  it('autocompletes titles, brands and categories', async () => {
    const response = await get('/v1/search/suggest?q=str');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.brands).toEqual([{ name: 'Stride', count: 2 }]);
    expect(body.products.map((p: { title: string }) => p.title)).toEqual(expect.arrayContaining(['Stride Road Running Shoes']));
    expect((await get('/v1/search/suggest?q=runn')).json().categories).toEqual([{ id: expect.any(Number), name: 'Running Shoes', path: 'sports/running-shoes' }]);
  });

  it.each([
    ['price_min=-1', 'invalid_price'],
    ['price_min=5000&price_max=100', 'invalid_price_range'],
    ['sort=cheapest', 'invalid_sort'],
    ['limit=1000', 'invalid_limit'],
    ['limit=0', 'invalid_limit'],
    ['cursor=garbage', 'invalid_cursor'],
    ['rating_min=9', 'invalid_rating'],
    ['category=Sports%20%26%20Outdoors', 'invalid_category'],
    ['price_max=cheap', 'invalid_price'],
    [`q=${'x'.repeat(201)}`, 'validation_failed'],
  ])('refuses %s with 400 %s', async (query, code) => {
    const response = await get(`/v1/search?${query}`);
    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe(code);
  });

  it('refuses a cursor from another sort and a suggest without q', async () => {
    const page = await search('sort=price_asc&limit=1');
    expect(page.next_cursor).toEqual(expect.any(String));
    const wrongSort = await get(`/v1/search?sort=newest&cursor=${encodeURIComponent(page.next_cursor)}`);
    expect(wrongSort.statusCode).toBe(400);
    expect(errorCode(wrongSort)).toBe('invalid_cursor');
    expect((await get('/v1/search/suggest')).statusCode).toBe(400);
    expect(errorCode(await get('/v1/search/suggest?q=a&limit=50'))).toBe('invalid_limit');
  });

  it('rebuilds the index from the catalog, including products imported without events', async () => {
    const { catalog, search: service } = t.ctx.services;
    const [category] = (await catalog.listCategories()).filter((c) => c.slug === 'home');
    const [seller] = await catalog.listSellers();
    await catalog.importCatalog({ products: [{ sellerId: seller!.id, title: 'Imported Espresso Machine', categoryId: category!.id, price: { amount: 29900, currency: 'USD' } }] });
    expect((await search('q=espresso')).total_count).toBe(0);
    const progress: number[] = [];
    const report = await service.reindex({ onProgress: (p) => progress.push(p.done) });
    expect(report.indexed).toBe(5);
    expect(progress.at(-1)).toBe(5);
    expect(titles(await search('q=espresso'))).toEqual(['Imported Espresso Machine']);
  });

  it('degrades to the simple search, marked and uncached, when the engine breaks', async () => {
    // The in-memory engine must catch up with this write before answering, and cannot.
    const [stride] = (await search('q=stride')).products;
    await t.ctx.services.search.refreshProducts([stride.id]);
    await sql`alter table search_documents rename column revision to revision_broken`.execute(t.ctx.databases.main);
    try {
      const response = await get('/v1/search?q=stride&sort=price_asc');
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(body.degraded).toBe(true);
      expect(body.products.map((p: { price: { amount: number } }) => p.price.amount)).toEqual([4500, 4900]);
    } finally {
      await sql`alter table search_documents rename column revision_broken to revision`.execute(t.ctx.databases.main);
    }
  });
});
