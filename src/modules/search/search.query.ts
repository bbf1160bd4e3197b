import { cursorCodec } from '../../platform/cursor.ts';
import { invalid } from '../../platform/errors.ts';
import { PG_INT_MAX } from '../../platform/limits.ts';
import { parseStorableTimestamp } from '../../platform/timestamps.ts';
import { SEARCH_SORTS, type CategoryFilter, type CursorKey, type SearchParams, type SearchQuery, type SearchSort } from './search.types.ts';

export const SEARCH_LIMITS = {
  queryLength: 200,
  words: 12,
  wordLength: 40,
  brands: 20,
  brandLength: 100,
  categoryLength: 300,
  pageSize: 100,
  defaultPageSize: 20,
  suggestions: 10,
} as const;

/**
 * Folds text to the form both the index and queries use: lower case, accents removed,
 * apostrophes dropped ("Men's" → "mens"), anything else that is not a letter or digit a space.
 * Applying it to both sides is what makes "cafe" find "Café".
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export const wordsOf = (text: string): string[] => {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
};

const AMOUNT = String.raw`\$?\s?(\d{1,7}(?:\.\d{1,2})?)(?:\s*(?:dollars?|usd|bucks))?`;
const RANGE = new RegExp(String.raw`(?:\bbetween\s+)?\$\s?(\d{1,7}(?:\.\d{1,2})?)\s*(?:-|–|\bto\b|\band\b)\s*${AMOUNT}`, 'iu');
const MAX = new RegExp(String.raw`(?:\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|at\s+most)\b|<)\s*${AMOUNT}`, 'iu');
const MIN = new RegExp(String.raw`(?:\b(?:over|above|more\s+than|at\s+least)\b|>)\s*${AMOUNT}`, 'iu');

const cents = (amount: string) => Math.round(Number(amount) * 100);

/**
 * Reads price limits written into the text ("running shoes under $50", "$20-$40 kettle",
 * "headphones over 100 dollars") and returns the text without them. Prices are inclusive,
 * in minor units.
 */
export function extractPrices(text: string): { text: string; priceMin: number | null; priceMax: number | null } {
  let rest = text;
  let priceMin: number | null = null;
  let priceMax: number | null = null;
  const range = RANGE.exec(rest);
  if (range) {
    const [a, b] = [cents(range[1]!), cents(range[2]!)];
    [priceMin, priceMax] = a <= b ? [a, b] : [b, a];
    rest = rest.replace(range[0], ' ');
  }
  const max = priceMax === null ? MAX.exec(rest) : null;
  if (max) {
    priceMax = cents(max[1]!);
    rest = rest.replace(max[0], ' ');
  }
  const min = priceMin === null ? MIN.exec(rest) : null;
  if (min) {
    priceMin = cents(min[1]!);
    rest = rest.replace(min[0], ' ');
  }
  return { text: rest.replace(/\s+/g, ' ').trim(), priceMin, priceMax };
}

function checkPrice(value: number | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!Number.isSafeInteger(value) || value < 0 || value > PG_INT_MAX) {
    throw invalid('invalid_price', `${name} must be a whole amount in minor units (cents) from 0 to ${PG_INT_MAX}`, { [name]: value });
  }
  return value;
}

function checkCategory(raw: string | undefined): CategoryFilter | null {
  if (raw === undefined) return null;
  const value = raw.trim().toLowerCase();
  if (/^\d{1,9}$/.test(value)) return { id: Number(value) };
  const segments = value.split('/').filter((s) => s !== '');
  const slug = segments.at(-1);
  if (!slug || value.length > SEARCH_LIMITS.categoryLength || !segments.every((s) => /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s))) {
    throw invalid('invalid_category', 'category must be a category id, slug or slug path like "sports/running-shoes"', { category: raw });
  }
  return { slug };
}

function checkBrands(raw: string | string[] | undefined): string[] {
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (list.length > SEARCH_LIMITS.brands) throw invalid('invalid_brand', `At most ${SEARCH_LIMITS.brands} brands may be selected`);
  if (list.some((b) => b.length > SEARCH_LIMITS.brandLength)) throw invalid('invalid_brand', `A brand may be at most ${SEARCH_LIMITS.brandLength} characters`);
  // The same folding as the index's brand key, so "Dr. Martens" selects "dr martens".
  const brands = list.map(normalizeText);
  if (brands.some((b) => b === '')) {
    throw invalid('invalid_brand', 'A brand must contain a letter or digit');
  }
  return [...new Set(brands)];
}

function checkSort(raw: string | undefined): SearchSort {
  if (raw === undefined) return 'relevance';
  if (!(SEARCH_SORTS as readonly string[]).includes(raw)) {
    throw invalid('invalid_sort', `sort must be one of ${SEARCH_SORTS.join(', ')}`, { sort: raw });
  }
  return raw as SearchSort;
}

function checkLimit(raw: number | undefined): number {
  if (raw === undefined) return SEARCH_LIMITS.defaultPageSize;
  if (!Number.isSafeInteger(raw) || raw < 1 || raw > SEARCH_LIMITS.pageSize) {
    throw invalid('invalid_limit', `limit must be an integer from 1 to ${SEARCH_LIMITS.pageSize}`, { limit: raw });
  }
  return raw;
}

function checkRating(raw: number | undefined): number | null {
  if (raw === undefined) return null;
  if (!Number.isFinite(raw) || raw < 0 || raw > 5) throw invalid('invalid_rating', 'rating_min must be between 0 and 5', { rating_min: raw });
  return raw;
}

export interface ParsedSearch {
  query: SearchQuery;
  /** The text as searched, prices removed. */
  text: string;
}

/**
 * Validates raw parameters and turns them into an engine query. Explicit price parameters
 * win over prices read from the text.
 *
 * Error codes (all `invalid`, HTTP 400): `query_too_long`, `invalid_price`, `invalid_price_range`,
 * `invalid_rating`, `invalid_sort`, `invalid_limit`, `invalid_brand`, `invalid_category`, `invalid_cursor`.
 */
export function parseSearchParams(params: SearchParams): ParsedSearch {
  const raw = params.q ?? '';
  if (raw.length > SEARCH_LIMITS.queryLength) throw invalid('query_too_long', `q may be at most ${SEARCH_LIMITS.queryLength} characters`);
  const explicitMin = checkPrice(params.priceMin, 'price_min');
  const explicitMax = checkPrice(params.priceMax, 'price_max');
  if (explicitMin !== null && explicitMax !== null && explicitMin > explicitMax) {
    throw invalid('invalid_price_range', 'price_min must not exceed price_max', { price_min: explicitMin, price_max: explicitMax });
  }
  const sort = checkSort(params.sort);
  const fromText = extractPrices(raw);
  const words = wordsOf(fromText.text)
    .filter((w) => w.length <= SEARCH_LIMITS.wordLength)
    .slice(0, SEARCH_LIMITS.words);
  const query: SearchQuery = {
    words,
    category: checkCategory(params.category),
    brands: checkBrands(params.brand),
    priceMin: explicitMin ?? fromText.priceMin,
    priceMax: explicitMax ?? fromText.priceMax,
    ratingMin: checkRating(params.ratingMin),
    inStock: params.inStock ?? false,
    sort,
    after: params.cursor === undefined ? null : decodeSearchCursor(params.cursor, sort),
    limit: checkLimit(params.limit),
  };
  return { query, text: words.join(' ') };
}

const NUMERIC = /^-?\d{1,12}(?:\.\d{1,12})?$/;
/** A price or review count as the cursor carries it: digits an `integer` column can compare with. */
const isInt = (value: string) => /^\d{1,10}$/.test(value) && Number(value) <= PG_INT_MAX;
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z$/;

/** Whether a cursor value is a timestamp (the key of `newest`, and of the fallback's relevance order) SQL can compare. */
export const isCursorTime = (value: string): boolean => ISO_TIME.test(value) && parseStorableTimestamp(value) !== undefined;
const badCursor = () => invalid('invalid_cursor', 'The cursor is not one this API issued for this sort');

const SearchCursor = cursorCodec({ s: { text: /^[a-z_]{1,20}$/ }, v: { text: /^[0-9.:TZ-]{0,40}$/ }, w: { text: /^\d{0,10}$/ }, i: 'uuid' });

export const encodeSearchCursor = (key: CursorKey): string => SearchCursor.encode({ s: key.sort, v: key.value, w: key.value2, i: key.id });

/** Decodes a cursor and checks it belongs to `sort`; `invalid_cursor` otherwise. */
export function decodeSearchCursor(cursor: string, sort: SearchSort): CursorKey {
  const { s, v, w, i } = SearchCursor.decode(cursor);
  if (s !== sort) throw badCursor();
  const isTime = isCursorTime(v);
  // A relevance cursor is a score, or a time when the degraded fallback (newest first) issued it.
  const valid = sort === 'newest' ? isTime : sort === 'relevance' ? NUMERIC.test(v) || isTime : sort === 'rating' ? NUMERIC.test(v) : isInt(v);
  if (!valid || (sort === 'rating' ? !isInt(w) : w !== '')) throw badCursor();
  return { sort, value: v, value2: w, id: i };
}
