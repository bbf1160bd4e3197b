import { sql, type RawBuilder } from 'kysely';
import type { CategoryFilter, CursorKey, SearchQuery, SearchSort } from './search.types.ts';

/**
 * SQL pieces shared by the engines: filter predicates, sort keys and keyset conditions over
 * `search_documents`. Every value is a bound parameter; only fixed fragments are spliced.
 */

type Predicate = RawBuilder<unknown>;

/** The filters that are also facets; each facet is counted with every filter but its own. */
export interface FacetFilters {
  category: Predicate | null;
  brand: Predicate | null;
  price: Predicate | null;
  rating: Predicate | null;
}

/** `category` is the category filter as a predicate (see `inCategories` / `inCategoryArrays`), null when there is none. */
export function facetFilters(q: SearchQuery, category: Predicate | null): FacetFilters {
  return {
    category,
    brand: q.brands.length === 0 ? null : sql`brand_key in (${sql.join(q.brands)})`,
    price: pricePredicate(q.priceMin, q.priceMax),
    rating: q.ratingMin === null ? null : sql`avg_rating >= ${q.ratingMin}::numeric`,
  };
}

/** Category filter from the resolved subtree (its leaf ids are indexed); no ids = no such category = nothing. */
export const inCategories = (ids: number[]): Predicate => (ids.length === 0 ? sql`false` : sql`category_id in (${sql.join(ids)})`);

/** Category filter without resolving the tree first, over the ancestor arrays of each document. */
export const inCategoryArrays = (c: CategoryFilter): Predicate =>
  'id' in c ? sql`category_ids @> array[${c.id}::int]` : sql`category_slugs @> array[${c.slug}::text]`;

function pricePredicate(min: number | null, max: number | null): Predicate | null {
  if (min !== null && max !== null) return sql`price_amount between ${min}::int and ${max}::int`;
  if (min !== null) return sql`price_amount >= ${min}::int`;
  if (max !== null) return sql`price_amount <= ${max}::int`;
  return null;
}

export const and = (predicates: (Predicate | null)[]): Predicate => {
  const present = predicates.filter((p): p is Predicate => p !== null);
  return present.length === 0 ? sql`true` : sql.join(present, sql` and `);
};

export const allFacetFilters = (f: FacetFilters): (Predicate | null)[] => [f.category, f.brand, f.price, f.rating];

/** Words are letters and digits only (see normalizeText), so they cannot inject tsquery operators. */
export const tsQuery = (words: string[], op: '&' | '|'): RawBuilder<unknown> => sql`to_tsquery('english', ${words.join(` ${op} `)})`;

const RANK_WEIGHTS = sql.lit('{0.1, 0.2, 0.4, 1.0}');

/** The value a page is ordered by (first key), as SQL. */
export function sortValue(sort: SearchSort, tsq: RawBuilder<unknown> | null): RawBuilder<unknown> {
  switch (sort) {
    case 'relevance':
      // Text rank (title ≫ brand ≫ category ≫ body), nudged by popularity; rounded so cursors compare exactly.
      return tsq === null ? sql`popularity` : sql`round((ts_rank_cd(${RANK_WEIGHTS}::float4[], document, ${tsq}) * (1 + 0.02 * popularity))::numeric, 6)`;
    case 'price_asc':
    case 'price_desc':
      return sql`price_amount`;
    case 'rating':
      return sql`avg_rating`;
    case 'newest':
      return sql`created_at`;
  }
}

export function orderBy(sort: SearchSort): RawBuilder<unknown> {
  switch (sort) {
    case 'price_asc':
      return sql`sort_value asc, product_id asc`;
    case 'rating':
      return sql`sort_value desc, review_count desc, product_id desc`;
    default:
      return sql`sort_value desc, product_id desc`;
  }
}

/** Rows strictly after `key` in the page order. `numericScore`: whether relevance is a text rank (numeric) or popularity (float8). */
export function afterCursor(key: CursorKey | null, numericScore: boolean): Predicate | null {
  if (key === null) return null;
  const id = sql`${key.id}::uuid`;
  switch (key.sort) {
    case 'relevance':
      return numericScore ? sql`(sort_value, product_id) < (${key.value}::numeric, ${id})` : sql`(sort_value, product_id) < (${key.value}::float8, ${id})`;
    case 'price_asc':
      return sql`(sort_value, product_id) > (${key.value}::int, ${id})`;
    case 'price_desc':
      return sql`(sort_value, product_id) < (${key.value}::int, ${id})`;
    case 'rating':
      return sql`(sort_value, review_count, product_id) < (${key.value}::numeric, ${key.value2}::int, ${id})`;
    case 'newest':
      return sql`(sort_value, product_id) < (${key.value}::timestamptz, ${id})`;
  }
}

export const HIT_COLUMNS = sql`product_id, seller_id, title, brand, price_amount, currency, image, category_id, category_name, category_path,
  avg_rating, review_count, availability, in_stock, created_at, family_id, family_title`;

export interface HitRow {
  product_id: string;
  seller_id: string;
  title: string;
  brand: string | null;
  price_amount: number;
  currency: string;
  image: string | null;
  category_id: number;
  category_name: string;
  category_path: string;
  avg_rating: string | number;
  review_count: number;
  availability: string;
  in_stock: boolean;
  created_at: Date | string;
  family_id: string | null;
  family_title: string | null;
  sort_key: string;
}
