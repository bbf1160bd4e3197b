import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { PRICE_BOUNDS } from './search.facets.ts';
import { fixtureProducts, MemoryFeed } from './search.fixtures.ts';
import { searchSchema, SearchService, type IndexableProduct, type SearchParams } from './index.ts';

const FAMILY = '01920000-0000-7000-8000-000000000001';
const OTHER_FAMILY = '01920000-0000-7000-8000-000000000002';
const base = fixtureProducts().find((p) => p.title === "Basics Men's Crew T-Shirt")!;

/** A tee in three sizes and two colours (six children, prices by size), and a hoodie in two sizes. */
function familyChildren(): IndexableProduct[] {
  const tees = ['S', 'M', 'L'].flatMap((size, s) =>
    ['Navy', 'Red'].map((color, c) => ({
      ...base,
      id: `01920000-0000-7000-8000-0000000001${s}${c}`,
      title: `Everyday Cotton Tee, ${color}, ${size}`,
      priceAmount: 1900 + s * 400,
      avgRating: 4 + s * 0.3,
      family: { id: FAMILY, title: 'Everyday Cotton Tee', status: 'active' as const },
      options: { size, color },
    })),
  );
  const hoodies = ['M', 'L'].map((size, s) => ({
    ...base,
    id: `01920000-0000-7000-8000-0000000002${s}0`,
    title: `Everyday Hoodie, Gray, ${size}`,
    priceAmount: 4900 + s * 1000,
    family: { id: OTHER_FAMILY, title: 'Everyday Hoodie', status: 'active' as const },
    options: { size },
  }));
  return [...tees, ...hoodies];
}

describe.each(BACKENDS)('one result per variation family (%s)', (backend) => {
  let dbs: TestDatabases;
  let feed: MemoryFeed;
  let search: SearchService;

  beforeAll(async () => {
    dbs = await createTestDatabases(backend);
    await migrateToLatest(dbs, [searchSchema]);
    feed = new MemoryFeed([...fixtureProducts(), ...familyChildren()]);
    search = new SearchService(dbs.main, feed, { clock: systemClock, logger: createLogger('silent') });
    await search.reindex();
  });
  afterAll(async () => dbs?.close());

  it('shows a family once, as its best matching child with the price range of the matching children', async () => {
    const r = await search.search({ q: 'everyday tee', limit: 10 });
    expect(r.products).toHaveLength(1);
    expect(r.totalCount).toBe(1);
    expect(r.products[0]!.family).toEqual({ id: FAMILY, title: 'Everyday Cotton Tee', priceMin: 1900, priceMax: 2700, matchingVariants: 6 });
    // An option value narrows the children, and the range with them.
    const red = await search.search({ q: 'everyday tee red', limit: 10 });
    expect(red.products[0]!.family).toMatchObject({ priceMin: 1900, priceMax: 2700, matchingVariants: 3 });
    const cheap = await search.search({ q: 'everyday tee', priceMax: 2000 });
    expect(cheap.products[0]!.family).toMatchObject({ priceMin: 1900, priceMax: 1900, matchingVariants: 2 });
    expect(cheap.products[0]!.priceAmount).toBe(1900);
  });

  it('counts families once in the total and in each facet value, so every count is what selecting it shows', async () => {
    const cases: SearchParams[] = [{ q: 'everyday' }, { q: 'shirt' }, { category: 'clothing' }, { q: 'everyday', ratingMin: 4.5 }];
    for (const params of cases) {
      const all = await search.search({ ...params, limit: 100 });
      expect(all.products.length, JSON.stringify(params)).toBe(all.totalCount);
      const familyIds = all.products.map((p) => p.family?.id).filter(Boolean);
      expect(new Set(familyIds).size).toBe(familyIds.length);
      for (const band of all.facets.priceRanges) {
        const selected = await search.search({ ...params, priceMin: band.min, ...(band.max !== null ? { priceMax: band.max - 1 } : {}), limit: 100 });
        expect(selected.totalCount, `${JSON.stringify(params)} price ${band.min}`).toBe(band.count);
      }
      for (const brand of all.facets.brands) {
        expect((await search.search({ ...params, brand: brand.value, limit: 100 })).totalCount, `${JSON.stringify(params)} brand ${brand.value}`).toBe(brand.count);
      }
      for (const rating of all.facets.ratings) {
        const selected = await search.search({ ...params, ratingMin: Math.max(rating.min, params.ratingMin ?? 0), limit: 100 });
        if (params.ratingMin === undefined) expect(selected.totalCount, `${JSON.stringify(params)} ${rating.min}+`).toBe(rating.count);
      }
    }
    expect(PRICE_BOUNDS.length).toBeGreaterThan(1);
  });

  it('pages through families and products, each exactly once, in every sort', async () => {
    for (const sort of ['relevance', 'price_asc', 'price_desc', 'rating', 'newest'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search.search({ category: 'clothing', sort, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.products.map((p) => p.family?.id ?? p.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const total = (await search.search({ category: 'clothing' })).totalCount;
      expect(new Set(seen).size, sort).toBe(seen.length);
      expect(seen.length, sort).toBe(total);
    }
  });

  it('suggests a family once, under its title', async () => {
    const s = await search.suggest('everyday');
    expect(s.products.map((p) => p.title).sort()).toEqual(['Everyday City Sneakers', 'Everyday Cotton Tee', 'Everyday Hoodie']);
  });

  it('follows the family: a new title and a hidden family reach every child', async () => {
    const children = [...feed.products.values()].filter((p) => p.family?.id === OTHER_FAMILY);
    for (const child of children) feed.put({ ...child, family: { id: OTHER_FAMILY, title: 'Weekend Hoodie', status: 'active' } });
    await search.refreshProducts(children.map((c) => c.id));
    expect((await search.search({ q: 'weekend' })).products.map((p) => p.family?.title)).toEqual(['Weekend Hoodie']);
    for (const child of children) feed.put({ ...child, family: { id: OTHER_FAMILY, title: 'Weekend Hoodie', status: 'inactive' } });
    await search.refreshProducts(children.map((c) => c.id));
    expect((await search.search({ q: 'hoodie' })).totalCount).toBe(0);
  });
});
