import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { CATEGORIES, fixtureProducts, MemoryFeed } from './search.fixtures.ts';
import { normalizeText } from './search.query.ts';
import { PRICE_BOUNDS, RATING_STEPS } from './search.facets.ts';
import { searchSchema, SearchService, SEARCH_SORTS, type IndexableProduct, type SearchParams } from './index.ts';

const PRODUCTS = fixtureProducts();
const BRANDS = [...new Set(PRODUCTS.map((p) => p.brand).filter((b): b is string => b !== null))];
const WORDS = ['', 'shoes', 'running', 'wireless', 'black', 'jacket', 'coffee'];

const filtersArb = fc.record(
  {
    q: fc.constantFrom(...WORDS),
    category: fc.constantFrom(...Object.values(CATEGORIES).flatMap((c) => [String(c.id), c.slug, c.path])),
    brand: fc.subarray(BRANDS, { minLength: 1, maxLength: 4 }),
    priceMin: fc.integer({ min: 0, max: 20_000 }),
    priceMax: fc.integer({ min: 0, max: 200_000 }),
    ratingMin: fc.constantFrom(3, 3.9, 4, 4.3, 4.5),
    inStock: fc.boolean(),
  },
  { requiredKeys: ['q'] },
).filter((f) => f.priceMin === undefined || f.priceMax === undefined || f.priceMin <= f.priceMax);

type Filters = Omit<SearchParams, 'brand'> & { brand?: string[] };

/** The facet predicates, evaluated in plain code on the fixture products. */
function predicates(f: Filters) {
  const slug = f.category === undefined ? undefined : f.category.split('/').at(-1)!;
  const brands = new Set((f.brand ?? []).map(normalizeText));
  return {
    category: (p: IndexableProduct) => slug === undefined || p.categories.some((c) => String(c.id) === slug || c.slug === slug),
    brand: (p: IndexableProduct) => brands.size === 0 || (p.brand !== null && brands.has(normalizeText(p.brand))),
    price: (p: IndexableProduct) => (f.priceMin === undefined || p.priceAmount >= f.priceMin) && (f.priceMax === undefined || p.priceAmount <= f.priceMax),
    rating: (p: IndexableProduct) => f.ratingMin === undefined || p.avgRating >= f.ratingMin,
  };
}

/** The category facet counts among the selected category's siblings (its parent's subtree); everything for a top-level one. */
function siblingScope(f: Filters): (p: IndexableProduct) => boolean {
  if (f.category === undefined) return () => true;
  const key = f.category.split('/').at(-1)!;
  const selected = Object.values(CATEGORIES).find((c) => String(c.id) === key || c.slug === key)!;
  if (!selected.path.includes('/')) return () => true;
  const parent = selected.path.slice(0, selected.path.lastIndexOf('/'));
  return (p) => p.categories.some((c) => c.path === parent);
}

const countBy = <K>(items: IndexableProduct[], key: (p: IndexableProduct) => K) => {
  const counts = new Map<K, number>();
  for (const p of items) counts.set(key(p), (counts.get(key(p)) ?? 0) + 1);
  return counts;
};

describe.each(BACKENDS)('search facets and pages (%s)', (backend) => {
  let dbs: TestDatabases;
  let search: SearchService;

  beforeAll(async () => {
    dbs = await createTestDatabases(backend);
    await migrateToLatest(dbs, [searchSchema]);
    search = new SearchService(dbs.main, new MemoryFeed(), { clock: systemClock, logger: createLogger('silent') });
    await search.reindex();
  });
  afterAll(async () => dbs?.close());

  /** Products matching the text and stock filter, by the engine with no facet filter applied. */
  async function textMatches(f: Filters): Promise<IndexableProduct[]> {
    const all = await search.search({ q: f.q ?? '', limit: 100, ...(f.inStock ? { inStock: true } : {}) });
    const ids = new Set(all.products.map((p) => p.id));
    return PRODUCTS.filter((p) => ids.has(p.id));
  }

  it('counts every facet as a brute-force count over the same catalog, ignoring only its own filter (categories: among siblings)', async () => {
    await fc.assert(
      fc.asyncProperty(filtersArb, async (f) => {
        const result = await search.search({ ...f, limit: 100 });
        const base = await textMatches(f);
        const p = predicates(f);
        const except = (skip: keyof typeof p) => base.filter((x) => (Object.keys(p) as (keyof typeof p)[]).every((k) => k === skip || p[k](x)));
        const everything = base.filter((x) => p.category(x) && p.brand(x) && p.price(x) && p.rating(x));

        expect(result.totalCount).toBe(everything.length);
        expect(new Set(result.products.map((x) => x.id))).toEqual(new Set(everything.map((x) => x.id)));

        const brands = countBy(except('brand').filter((x) => x.brand !== null), (x) => x.brand!);
        expect(new Map(result.facets.brands.map((b) => [b.value, b.count]))).toEqual(brands);
        const categories = countBy(except('category').filter(siblingScope(f)), (x) => x.categories.at(-1)!.id);
        expect(new Map(result.facets.categories.map((c) => [c.id, c.count]))).toEqual(categories);
        for (const facet of result.facets.categories) {
          const inLeaf = PRODUCTS.find((x) => x.categories.at(-1)!.id === facet.id)!;
          expect(facet.selected).toBe(f.category !== undefined && p.category(inLeaf));
        }
        const priced = except('price');
        expect(result.facets.priceRanges.map((r) => r.count)).toEqual(
          PRICE_BOUNDS.map((min, i) => priced.filter((x) => x.priceAmount >= min && x.priceAmount < (PRICE_BOUNDS[i + 1] ?? Infinity)).length),
        );
        const rated = except('rating');
        expect(result.facets.ratings.map((r) => r.count)).toEqual(RATING_STEPS.map((m) => rated.filter((x) => x.avgRating >= m).length));
      }),
      { numRuns: 60 },
    );
  });

  it('pages through every match exactly once, in sort order, for every sort and page size', async () => {
    await fc.assert(
      fc.asyncProperty(filtersArb, fc.constantFrom(...SEARCH_SORTS), fc.integer({ min: 1, max: 7 }), async (f, sort, limit) => {
        const wanted = await search.search({ ...f, sort, limit: 100 });
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await search.search({ ...f, sort, limit, ...(cursor ? { cursor } : {}) });
          expect(page.products.length).toBeLessThanOrEqual(limit);
          seen.push(...page.products.map((p) => p.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined);
        expect(seen).toEqual(wanted.products.map((p) => p.id));
        expect(seen).toHaveLength(wanted.totalCount);
        const prices = wanted.products.map((p) => p.priceAmount);
        if (sort === 'price_asc') expect(prices).toEqual([...prices].sort((a, b) => a - b));
        if (sort === 'price_desc') expect(prices).toEqual([...prices].sort((a, b) => b - a));
        if (sort === 'newest') expect(wanted.products.map((p) => p.createdAt.getTime())).toEqual(wanted.products.map((p) => p.createdAt.getTime()).sort((a, b) => b - a));
        if (sort === 'rating') expect(wanted.products.map((p) => p.avgRating)).toEqual(wanted.products.map((p) => p.avgRating).sort((a, b) => b - a));
      }),
      { numRuns: 40 },
    );
  });
});
