import { describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors.ts';
import { decodeSearchCursor, encodeSearchCursor, extractPrices, normalizeText, parseSearchParams } from './search.query.ts';
import type { SearchParams } from './search.types.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected the parameters to be refused');
}

const ID = '01900000-0000-7000-8000-000000000100';

describe('normalizeText', () => {
  it('folds case, accents and apostrophes the same way for documents and queries', () => {
    expect(normalizeText("Café  Men's T-Shirt")).toBe('cafe mens t shirt');
    expect(normalizeText('Crème Brûlée — 6.5')).toBe('creme brulee 6 5');
    expect(normalizeText('  !!  ')).toBe('');
  });
});

describe('extractPrices', () => {
  it.each([
    ['running shoes under $50', 'running shoes', null, 5000],
    ['kettle below 25 dollars', 'kettle', null, 2500],
    ['headphones over $100', 'headphones', 10_000, null],
    ['$20-$40 kettle', 'kettle', 2000, 4000],
    ['mug between $12.50 and $8', 'mug', 800, 1250],
    ['jacket at least $50 under $200', 'jacket', 5000, 20_000],
    ['size 10 running shoes', 'size 10 running shoes', null, null],
  ])('%s', (text, rest, min, max) => {
    expect(extractPrices(text)).toEqual({ text: rest, priceMin: min, priceMax: max });
  });
});

describe('parseSearchParams', () => {
  it('defaults to relevance, 20 per page, no filters', () => {
    const { query } = parseSearchParams({});
    expect(query).toMatchObject({ words: [], sort: 'relevance', limit: 20, brands: [], category: null, priceMin: null, priceMax: null, inStock: false });
  });

  it('lets explicit prices win over prices in the text', () => {
    const { query } = parseSearchParams({ q: 'shoes under $50', priceMax: 3000 });
    expect(query).toMatchObject({ words: ['shoes'], priceMax: 3000 });
  });

  it('reads a category id, slug or slug path and normalizes brands', () => {
    expect(parseSearchParams({ category: '12' }).query.category).toEqual({ id: 12 });
    expect(parseSearchParams({ category: 'sports/running-shoes' }).query.category).toEqual({ slug: 'running-shoes' });
    expect(parseSearchParams({ brand: ['Dr. Martens', 'dr martens', 'Acme'] }).query.brands).toEqual(['dr martens', 'acme']);
  });

  it.each<[string, SearchParams]>([
    ['invalid_price', { priceMin: -1 }],
    ['invalid_price', { priceMax: 12.5 }],
    ['invalid_price_range', { priceMin: 5000, priceMax: 100 }],
    ['invalid_sort', { sort: 'cheapest' }],
    ['invalid_limit', { limit: 0 }],
    ['invalid_limit', { limit: 10_000 }],
    ['invalid_rating', { ratingMin: 6 }],
    ['invalid_brand', { brand: ['???'] }],
    ['invalid_brand', { brand: Array.from({ length: 21 }, (_, i) => `b${i}`) }],
    ['invalid_category', { category: 'Sports & Outdoors' }],
    ['invalid_cursor', { cursor: 'not a cursor' }],
    ['query_too_long', { q: 'x'.repeat(201) }],
  ])('refuses with %s: %j', (code, params) => {
    expect(codeOf(() => parseSearchParams(params))).toBe(code);
  });
});

describe('search cursors', () => {
  it('round-trip exactly and only for the sort that issued them', () => {
    const key = { sort: 'relevance' as const, value: '0.123457', value2: '', id: ID };
    const cursor = encodeSearchCursor(key);
    expect(decodeSearchCursor(cursor, 'relevance')).toEqual(key);
    expect(codeOf(() => decodeSearchCursor(cursor, 'price_asc'))).toBe('invalid_cursor');
  });

  it('refuse values that would not fit the sort key', () => {
    const forged = (s: string, v: string, w = '') => encodeSearchCursor({ sort: s as 'price_asc', value: v, value2: w, id: ID });
    expect(codeOf(() => decodeSearchCursor(forged('price_asc', '12.5'), 'price_asc'))).toBe('invalid_cursor');
    expect(codeOf(() => decodeSearchCursor(forged('price_asc', '99999999999'), 'price_asc'))).toBe('invalid_cursor');
    expect(codeOf(() => decodeSearchCursor(forged('newest', 'yesterday'), 'newest'))).toBe('invalid_cursor');
    expect(codeOf(() => decodeSearchCursor(forged('rating', '4.5'), 'rating'))).toBe('invalid_cursor');
    expect(decodeSearchCursor(forged('rating', '4.50', '12'), 'rating').value2).toBe('12');
    expect(decodeSearchCursor(forged('newest', '2024-01-02T03:04:05.678Z'), 'newest').value).toBe('2024-01-02T03:04:05.678Z');
  });
});
