import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../platform/cache.ts';
import { ManualClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ID, MemoryFeed } from './search.fixtures.ts';
import { MemoryEngine } from './memory.engine.ts';
import { VocabularySnapshot } from './search.vocabulary.ts';
import { searchSchema, SearchService, type SearchEngine } from './index.ts';

const logger = createLogger('silent');

/** An engine that fails while `broken` is set, as a dead search cluster would. */
class FlakyEngine implements SearchEngine {
  readonly name = 'flaky';
  broken = false;
  calls = 0;
  constructor(private readonly inner: SearchEngine) {}
  search(query: Parameters<SearchEngine['search']>[0]) {
    this.calls++;
    if (this.broken) return Promise.reject(new Error('connection refused'));
    return this.inner.search(query);
  }
  suggest(words: string[], limit: number) {
    this.calls++;
    if (this.broken) return Promise.reject(new Error('connection refused'));
    return this.inner.suggest(words, limit);
  }
  indexChanged() {
    this.inner.indexChanged?.();
  }
}

describe.each(BACKENDS)('search service (%s)', (backend) => {
  let dbs: TestDatabases;
  let feed: MemoryFeed;
  let search: SearchService;
  let engine: FlakyEngine;
  const clock = new ManualClock(new Date('2025-01-01T00:00:00Z'));

  beforeAll(async () => {
    dbs = await createTestDatabases(backend);
    await migrateToLatest(dbs, [searchSchema]);
    feed = new MemoryFeed();
    engine = new FlakyEngine(new MemoryEngine(dbs.main, { vocabulary: new VocabularySnapshot(dbs.main) }));
    search = new SearchService(dbs.main, feed, { clock, logger, engine, cooldownMs: 10_000 });
    await search.reindex();
  });
  afterAll(async () => dbs?.close());

  it('builds the index only when it is empty and the catalog is not', async () => {
    expect(await search.ensureIndexed()).toBeUndefined();
    await sql`delete from search_documents`.execute(dbs.main);
    expect(await search.ensureIndexed()).toMatchObject({ indexed: feed.products.size });
    expect((await search.search({})).totalCount).toBe(feed.products.size);
  });

  it('reports reindex progress and rebuilds the vocabulary', async () => {
    const progress: number[] = [];
    const report = await search.reindex({ pageSize: 10, onProgress: (p) => progress.push(p.done) });
    expect(report).toMatchObject({ indexed: feed.products.size, removed: 0 });
    expect(report.terms).toBeGreaterThan(100);
    expect(progress).toEqual([0, 10, 20, 30, feed.products.size]);
  });

  it('re-reads a changed product from the catalog and re-indexes it', async () => {
    const kettle = feed.products.get(ID.kettle!)!;
    feed.put({ ...kettle, title: 'Acme Turbo Kettle', priceAmount: 2999 });
    await search.refreshProducts([kettle.id]);
    const found = await search.search({ q: 'turbo' });
    expect(found.products.map((p) => [p.id, p.priceAmount])).toEqual([[kettle.id, 2999]]);
    expect((await search.search({ q: 'electric' })).totalCount).toBe(0);
  });

  it('removes deactivated and deleted products and indexes new ones', async () => {
    const mug = feed.products.get(ID['cafe-mug']!)!;
    feed.put({ ...mug, status: 'inactive' });
    const fresh = { ...mug, id: '01900000-0000-7000-8000-00000000ffff', title: 'Zebra Striped Mug', description: 'Stoneware.', status: 'active' as const };
    feed.put(fresh);
    feed.products.delete(ID.grinder!);
    await search.refreshProducts([mug.id, fresh.id, ID.grinder!]);
    expect((await search.search({ q: 'latte' })).totalCount).toBe(0);
    expect((await search.search({ q: 'grinder' })).totalCount).toBe(0);
    expect((await search.search({ q: 'zebra' })).products.map((p) => p.id)).toEqual([fresh.id]);
    // The new word joined the vocabulary, so a typo of it is corrected.
    expect((await search.search({ q: 'zebrra' })).didYouMean).toBe('zebra');
  });

  it('updates stock flags from availability alone', async () => {
    const buds = feed.products.get(ID.buds!)!;
    expect((await search.search({ q: 'earbuds', inStock: true })).totalCount).toBe(0);
    feed.put({ ...buds, availability: { status: 'in_stock', available: 12 } });
    await search.refreshAvailability([buds.id]);
    const found = await search.search({ q: 'earbuds', inStock: true });
    expect(found.products.map((p) => [p.id, p.availability, p.inStock])).toEqual([[buds.id, 'in_stock', true]]);
  });

  it('drops documents of products that vanished or were deactivated when rebuilding, and rewrites only changed ones', async () => {
    const indexedAt = async (id: string) =>
      (await sql<{ at: Date }>`select indexed_at as at from search_documents where product_id = ${id}`.execute(dbs.main)).rows[0]?.at;
    const jacket = ID['down-jacket']!;
    const fleece = feed.products.get(ID.fleece!)!;
    const tee = feed.products.get(ID['tee-men']!)!;
    const untouched = await indexedAt(ID.helmet!);
    // Both changes happen behind the index's back (no refresh), as if their events were lost.
    feed.products.delete(jacket);
    feed.put({ ...fleece, status: 'suspended' });
    feed.put({ ...tee, priceAmount: 999 });
    const report = await search.reindex();
    expect(report.removed).toBe(2);
    expect((await search.search({ q: 'jacket' })).products.map((p) => p.id)).toEqual([ID['rain-jacket']]);
    expect((await search.search({ q: 'crew' })).products.map((p) => p.priceAmount)).toEqual([999]);
    expect(await indexedAt(ID.helmet!)).toEqual(untouched);
  });

  it('reuses cached facet counts for the same filters while hits stay fresh (PostgreSQL engine)', async () => {
    const cached = new SearchService(dbs.main, feed, { clock, logger, cache: new MemoryCache(), facetCacheSeconds: 60, engineKind: 'postgres' });
    const before = await cached.search({ q: 'skillet' });
    const twin = { ...feed.products.get(ID.skillet!)!, id: '01900000-0000-7000-8000-00000000eeee', title: 'Ironclad Skillet Twin' };
    feed.put(twin);
    await search.refreshProducts([twin.id]);
    const after = await cached.search({ q: 'skillet' });
    expect(after.products).toHaveLength(before.totalCount + 1);
    expect(after.totalCount).toBe(before.totalCount);
    expect((await cached.search({ q: 'skillet', ratingMin: 1 })).totalCount).toBe(before.totalCount + 1);
  });

  it('suggests titles, brands and categories from a prefix', async () => {
    const s = await search.suggest('Acme k');
    expect(s.products.map((p) => p.title)).toContain('Acme Turbo Kettle');
    expect(s.brands).toEqual([{ name: 'Acme Kitchen', count: expect.any(Number) }]);
    const cat = await search.suggest('head');
    expect(cat.categories.map((c) => c.path)).toEqual(['electronics/headphones']);
    expect(cat.products.length).toBeGreaterThan(0);
    expect((await search.suggest('  ')).products).toEqual([]);
  });

  it('answers from the fallback, flagged degraded, while the engine is down, then recovers', async () => {
    engine.broken = true;
    const degraded = await search.search({ q: 'running shoes', brand: ['Stride'], priceMax: 10_000 });
    expect(degraded.degraded).toBe(true);
    expect(degraded.products.length).toBeGreaterThan(0);
    expect(degraded.products.every((p) => p.brand === 'Stride' && p.priceAmount <= 10_000 && /running/i.test(p.title))).toBe(true);
    expect(degraded.totalCount).toBe(degraded.products.length);
    expect(degraded.facets.brands).toEqual([]);

    // During the cool-down the engine is not even tried.
    engine.broken = false;
    const callsBefore = engine.calls;
    expect((await search.suggest('acme')).degraded).toBe(true);
    expect(engine.calls).toBe(callsBefore);

    clock.advance(10_001);
    const healthy = await search.search({ q: 'running shoes' });
    expect(healthy.degraded).toBe(false);
    expect(healthy.facets.brands.length).toBeGreaterThan(0);
  });

  it("never counts a request's own unstorable value as an engine failure: others stay undegraded", async () => {
    // What PostgreSQL answers for a value its column or cast cannot hold (22003 numeric_value_out_of_range).
    const outOfRange = Object.assign(new Error('value "3000000000" is out of range for type integer'), { code: '22003' });
    const picky: SearchEngine = {
      name: 'picky',
      search: (query) => (query.priceMax === 12_345 ? Promise.reject(outOfRange) : engine.search(query)),
      suggest: (words, limit) => engine.suggest(words, limit),
    };
    const service = new SearchService(dbs.main, feed, { clock, logger, engine: picky, cooldownMs: 60_000 });
    await expect(service.search({ q: 'running shoes', priceMax: 12_345 })).rejects.toMatchObject({ code: 'invalid_search', kind: 'invalid' });
    const next = await service.search({ q: 'running shoes' });
    expect(next.degraded).toBe(false);
    expect(next.facets.brands.length).toBeGreaterThan(0);
  });

  it('pages the fallback with stable cursors', async () => {
    engine.broken = true;
    clock.advance(20_000);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search.search({ category: 'sports', limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.degraded).toBe(true);
      seen.push(...page.products.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const { rows } = await sql<{ n: number }>`select count(*) as n from search_documents where category_path like 'sports%'`.execute(dbs.main);
    expect(seen.length).toBe(Number(rows[0]!.n));
    engine.broken = false;
    clock.advance(20_000);
  });

  it('keeps answering (degraded) when the in-memory index cannot be loaded', async () => {
    const cold = new SearchService(dbs.main, feed, { clock, logger, cooldownMs: 0 });
    await sql`alter table search_documents rename column terms to terms_broken`.execute(dbs.main);
    try {
      expect(await cold.search({ q: 'cast iron' })).toMatchObject({ degraded: true, totalCount: 1 });
    } finally {
      await sql`alter table search_documents rename column terms_broken to terms`.execute(dbs.main);
    }
    expect((await cold.search({ q: 'cast iron' })).degraded).toBe(false);
  });

  it('keeps answering (degraded) when the full-text machinery itself is broken (PostgreSQL engine)', async () => {
    const real = new SearchService(dbs.main, feed, { clock, logger, cooldownMs: 0, engineKind: 'postgres' });
    await sql`alter table search_documents rename column document to document_broken`.execute(dbs.main);
    try {
      const result = await real.search({ q: 'cast iron' });
      expect(result).toMatchObject({ degraded: true, totalCount: 1 });
      expect(result.products[0]!.title).toBe('Ironclad Cast Iron Skillet');
    } finally {
      await sql`alter table search_documents rename column document_broken to document`.execute(dbs.main);
    }
    expect((await real.search({ q: 'cast iron' })).degraded).toBe(false);
  });
});
