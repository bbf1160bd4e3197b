import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../platform/clock.ts';
import { createLogger } from '../../platform/logger.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { fixtureProducts, ID, MemoryFeed } from './search.fixtures.ts';
import { searchSchema, SearchService, type SearchParams, type SearchResponse } from './index.ts';

/**
 * The fixed relevance set: queries over the hand-written catalog of search.fixtures.ts with
 * the results a shopper would expect on top. Handles name fixture products.
 */
interface Case {
  name: string;
  params: SearchParams;
  /** The first hit. */
  first?: string;
  /** The first N hits are exactly these, in any order. */
  top?: string[];
  includes?: string[];
  excludes?: string[];
  total?: number;
  didYouMean?: string | null;
  corrected?: boolean;
  match?: 'all' | 'any';
  check?: (r: SearchResponse) => void;
}

const RUNNING_SHOES = ['stride-road', 'stride-racer', 'swift-running', 'swift-women', 'ridge-trail'];
const byId = new Map(fixtureProducts().map((p) => [p.id, p]));
const handleOf = new Map(Object.entries(ID).map(([handle, id]) => [id, handle]));

const CASES: Case[] = [
  { name: 'multi-word: running shoes', params: { q: 'running shoes' }, top: RUNNING_SHOES, total: 9, didYouMean: null },
  { name: 'singular finds plurals (stemming)', params: { q: 'running shoe' }, top: RUNNING_SHOES, total: 9 },
  { name: 'misspelling is corrected', params: { q: 'runnig shoes' }, top: RUNNING_SHOES, didYouMean: 'running shoes', corrected: true },
  { name: 'misspelled category word is corrected', params: { q: 'headphnes' }, top: ['anc-headphones', 'studio', 'buds'], includes: ['case'], didYouMean: 'headphones' },
  { name: 'brand name finds its products', params: { q: 'stride' }, top: ['stride-road', 'stride-racer', 'run-tee', 'stride-trail', 'socks'], total: 5 },
  { name: 'brand plus product words', params: { q: 'stride running shoes' }, top: ['stride-road', 'stride-racer'] },
  { name: 'title outranks description', params: { q: 'espresso' }, first: 'espresso', includes: ['grinder'], total: 4 },
  { name: 'every word must match', params: { q: 'espresso machine' }, first: 'espresso', total: 1 },
  { name: 'title match above a description mention', params: { q: 'wireless' }, top: ['buds', 'mouse'], includes: ['anc-headphones'] },
  { name: 'brand and title above title alone', params: { q: 'sonica' }, top: ['anc-headphones', 'buds'], includes: ['case'], total: 3 },
  { name: 'plural query finds singular titles', params: { q: 'kettles' }, top: ['kettle', 'gooseneck'], total: 2 },
  { name: 'category name matches products without the word in the title', params: { q: 'cookware' }, top: ['skillet', 'pan-set'], total: 2 },
  { name: 'accents are folded', params: { q: 'cafe' }, first: 'cafe-mug' },
  { name: "apostrophes and hyphens: men's t-shirt", params: { q: "men's t-shirt" }, first: 'tee-men' },
  { name: 'two words anywhere in the title', params: { q: 'waterproof jacket' }, first: 'rain-jacket' },
  { name: 'laptops before a laptop sleeve', params: { q: 'laptop' }, top: ['voltbook', 'voltbook-pro'], includes: ['sleeve'] },
  { name: 'yoga mat', params: { q: 'yoga mat' }, first: 'yoga-mat' },
  { name: 'bike helmet', params: { q: 'bike helmet' }, first: 'helmet' },
  { name: 'coffee grinder by title among coffee things', params: { q: 'coffee' }, first: 'grinder', includes: ['french-press', 'gooseneck'] },
  {
    name: 'price in the text: running shoes under $50',
    params: { q: 'running shoes under $50' },
    top: ['stride-road', 'swift-running', 'swift-women'],
    excludes: ['stride-racer', 'ridge-trail'],
    check: (r) => {
      expect(r.query.priceMax).toBe(5000);
      expect(r.products.every((p) => p.priceAmount <= 5000)).toBe(true);
    },
  },
  {
    name: 'text with category (descendants included) and price filters',
    params: { q: 'shoes', category: 'running-shoes', priceMax: 5000 },
    includes: ['stride-trail', 'stride-road'],
    check: (r) => expect(r.products.every((p) => p.priceAmount <= 5000 && p.category.path.startsWith('sports/running-shoes'))).toBe(true),
  },
  { name: 'category path narrows to a subtree', params: { q: 'shoes', category: 'sports/running-shoes/trail-running' }, top: ['ridge-trail', 'ridge-trail-gtx', 'stride-trail'], total: 3 },
  {
    name: 'price sort within a text match',
    params: { q: 'trail', sort: 'price_asc' },
    first: 'stride-trail',
    check: (r) => expect(r.products.map((p) => p.priceAmount)).toEqual([...r.products.map((p) => p.priceAmount)].sort((a, b) => a - b)),
  },
  {
    name: 'two words never together: nothing, each word offered instead',
    params: { q: 'stride kettle' },
    total: 0,
    check: (r) => expect(r.suggestions.map((s) => s.text).sort()).toEqual(['kettle', 'stride']),
  },
  {
    name: 'four words never together: those with three of them, the product kind among them',
    params: { q: 'waterproof stride trail shoes' },
    includes: ['ridge-trail-gtx', 'stride-trail'],
    excludes: ['rain-jacket', 'kettle'],
    match: 'any',
  },
  { name: 'empty result with a suggestion', params: { q: 'sneekrs' }, total: 0, didYouMean: 'sneakers', corrected: false },
  { name: 'empty result without a suggestion', params: { q: 'xyzzyq' }, total: 0, didYouMean: null },
  { name: 'browse a department', params: { category: 'home' }, total: 8, first: 'skillet' },
];

describe.each(BACKENDS)('search relevance set (%s)', (backend) => {
  let dbs: TestDatabases;
  let search: SearchService;

  beforeAll(async () => {
    dbs = await createTestDatabases(backend);
    await migrateToLatest(dbs, [searchSchema]);
    search = new SearchService(dbs.main, new MemoryFeed(), { clock: systemClock, logger: createLogger('silent') });
    await search.reindex();
  });
  afterAll(async () => dbs?.close());

  it.each(CASES)('$name', async (c) => {
    const result = await search.search({ limit: 50, ...c.params });
    const handles = result.products.map((p) => handleOf.get(p.id));
    const context = `${JSON.stringify(c.params)} → ${handles.join(', ')}`;
    expect(result.degraded).toBe(false);
    if (c.first) expect(handles[0], context).toBe(c.first);
    if (c.top) expect(new Set(handles.slice(0, c.top.length)), context).toEqual(new Set(c.top));
    for (const h of c.includes ?? []) expect(handles, context).toContain(h);
    for (const h of c.excludes ?? []) expect(handles, context).not.toContain(h);
    if (c.total !== undefined) expect(result.totalCount, context).toBe(c.total);
    if (c.didYouMean !== undefined) expect(result.didYouMean, context).toBe(c.didYouMean);
    if (c.corrected !== undefined) expect(result.query.corrected, context).toBe(c.corrected);
    if (c.match !== undefined) expect(result.query.match, context).toBe(c.match);
    c.check?.(result);
  });

  it('has at least 20 queries with expectations', () => {
    expect(CASES.filter((c) => c.params.q).length).toBeGreaterThanOrEqual(20);
    expect(CASES.every((c) => [c.first, ...(c.top ?? []), ...(c.includes ?? []), ...(c.excludes ?? [])].every((h) => h === undefined || byId.has(ID[h]!)))).toBe(true);
  });
});
