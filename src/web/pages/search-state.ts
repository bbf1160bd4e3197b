import type { SearchParams, SearchResponse, SearchHit } from '../../modules/search/index.ts';
import { invalid } from '../../platform/errors.ts';
import type { CardProduct } from '../components/product.tsx';

/** What a results page shows, as its URL says: the only state such a page has. */
export interface ResultsState {
  q: string;
  category: string | null;
  brands: string[];
  /** A price band as `<min>-<max>` in minor units, the max exclusive and optional. */
  price: string | null;
  ratingMin: number | null;
  inStock: boolean;
  sort: string | null;
  cursor: string | null;
}

const PRICE_BAND = /^(\d{1,12})-(\d{1,12})?$/;

const first = (value: unknown): string | undefined => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
};

/** Reads the state from a query string; anything malformed is left to the search service to refuse. */
export function parseResultsState(query: Record<string, unknown>, category: string | null = null): ResultsState {
  const brand = query.brand;
  const brands = (Array.isArray(brand) ? brand : brand === undefined ? [] : [brand]).filter((b): b is string => typeof b === 'string' && b.length > 0);
  const rating = first(query.rating);
  return {
    q: (first(query.q) ?? '').slice(0, 500),
    category: category ?? (first(query.category) || null),
    brands: [...new Set(brands)].slice(0, 20),
    price: first(query.price) || null,
    ratingMin: rating && /^\d(\.\d)?$/.test(rating) ? Number(rating) : null,
    inStock: first(query.in_stock) === '1',
    sort: first(query.sort) || null,
    cursor: first(query.cursor) || null,
  };
}

/** The search service's parameters for a state (the page size is the page's, not the visitor's). */
export function toSearchParams(state: ResultsState, limit: number): SearchParams {
  const params: SearchParams = { limit };
  if (state.q) params.q = state.q;
  if (state.category) params.category = state.category;
  if (state.brands.length > 0) params.brand = state.brands;
  const band = state.price ? PRICE_BAND.exec(state.price) : null;
  if (state.price && !band) throw invalid('invalid_price', 'A price filter is a band like 5000-10000 (in cents)');
  if (band) {
    params.priceMin = Number(band[1]);
    // Facet bands are [min, max): the service's bounds are inclusive.
    if (band[2] !== undefined) params.priceMax = Math.max(Number(band[1]), Number(band[2]) - 1);
  }
  if (state.ratingMin !== null) params.ratingMin = state.ratingMin;
  if (state.inStock) params.inStock = true;
  if (state.sort) params.sort = state.sort;
  if (state.cursor) params.cursor = state.cursor;
  return params;
}

/** A URL for `state` with some parts changed; `cursor` is dropped unless given (filters restart at page one). */
export function resultsUrl(base: string, state: ResultsState, change: Partial<ResultsState> = {}, keepCategory = true): string {
  const next = { ...state, cursor: null, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  if (keepCategory && next.category && base === '/search') params.set('category', next.category);
  for (const b of next.brands) params.append('brand', b);
  if (next.price) params.set('price', next.price);
  if (next.ratingMin !== null) params.set('rating', String(next.ratingMin));
  if (next.inStock) params.set('in_stock', '1');
  if (next.sort) params.set('sort', next.sort);
  if (next.cursor) params.set('cursor', next.cursor);
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}

/** A stable cache key for a state: the same results for the same key, whatever the parameter order. */
export function resultsKey(base: string, state: ResultsState): string {
  return `web:results:${resultsUrl(base, { ...state, brands: [...state.brands].sort() }, { cursor: state.cursor })}`;
}

export const toCard = (h: SearchHit): CardProduct => ({
  id: h.id,
  title: h.title,
  brand: h.brand,
  price: h.priceAmount,
  currency: h.currency,
  image: h.image,
  rating: h.avgRating,
  reviews: h.reviewCount,
  availability: h.availability,
});

export type Results = SearchResponse;
