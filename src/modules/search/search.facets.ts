import { sql, type Kysely, type RawBuilder } from 'kysely';
import { allFacetFilters, type FacetFilters } from './search.sql.ts';
import type { Facets } from './search.types.ts';

/** Bucket bounds of the price facet, in minor units: [0, 25), [25, 50), … [500, ∞) dollars. */
export const PRICE_BOUNDS = [0, 2500, 5000, 10_000, 20_000, 50_000] as const;
export const RATING_STEPS = [4, 3, 2, 1] as const;
export const FACET_SIZE = 20;

type Predicate = RawBuilder<unknown>;

/** `grouping(brand_key, category_id, bucket, stars)` of each grouping set: a bit is set for each column not grouped on. */
const SETS = { brand: 0b0111, category: 0b1011, price: 0b1101, rating: 0b1110, total: 0b1111 } as const;

interface CountRow {
  g: number;
  brand_key: string | null;
  brand: string | null;
  category_id: number | null;
  bucket: number | null;
  stars: number | null;
  n_all: number | string;
  n_brand: number | string;
  n_category: number | string;
  n_price: number | string;
  n_rating: number | string;
  in_category: boolean | null;
}

/**
 * The total and all four facets in one pass over the candidate rows, with GROUPING SETS: each
 * facet counts the rows that pass every facet filter but its own (so a selected brand does not
 * zero the other brands). Candidates are the rows matching `where` (text, stock and, with a
 * category filter, the selected category's siblings) that fail at most one facet filter; no
 * other row can count anywhere.
 */
function countsQuery(where: Predicate, f: FacetFilters): RawBuilder<CountRow> {
  const active = allFacetFilters(f).filter((p): p is Predicate => p !== null);
  const flag = (p: Predicate | null) => p ?? sql`true`;
  const nearMiss = active.length <= 1 ? sql`true` : sql`(${sql.join(active.map((p) => sql`(${p})::int`), sql` + `)}) >= ${sql.lit(active.length - 1)}`;
  const bounds = sql.lit(`{${PRICE_BOUNDS.slice(1).join(',')}}`);
  return sql<CountRow>`
    select grouping(brand_key, category_id, bucket, stars) as g, brand_key, min(brand) as brand, category_id, bucket, stars,
      count(*) filter (where fc and fb and fp and fr) as n_all,
      count(*) filter (where fc and fp and fr) as n_brand,
      count(*) filter (where fb and fp and fr) as n_category,
      count(*) filter (where fc and fb and fr) as n_price,
      count(*) filter (where fc and fb and fp) as n_rating,
      bool_or(fc) as in_category
    from (
      select brand_key, brand, category_id, width_bucket(price_amount, ${bounds}::int[]) as bucket, floor(avg_rating)::int as stars,
        ${flag(f.category)} as fc, ${flag(f.brand)} as fb, ${flag(f.price)} as fp, ${flag(f.rating)} as fr
      from search_documents
      where ${where} and ${nearMiss}
    ) candidates
    group by grouping sets ((brand_key), (category_id), (bucket), (stars), ())`;
}

const byCount = <T extends { count: number }>(a: T, b: T, tie: number) => b.count - a.count || tie;

export type CategoryLabels = (ids: number[]) => Promise<Map<number, { name: string; path: string }>>;

/** Counts the facets of the rows matching `where` (text and stock) under the facet filters `f`. */
export async function countFacets(
  db: Kysely<any>,
  where: Predicate,
  f: FacetFilters,
  selectedBrands: string[],
  categoryLabels: CategoryLabels,
): Promise<{ facets: Facets; total: number }> {
  const rows = (await countsQuery(where, f).execute(db)).rows;
  let total = 0;
  const brands: Facets['brands'] = [];
  const categoryCounts: { id: number; count: number; selected: boolean }[] = [];
  const priceCounts = new Map<number, number>();
  const starCounts = new Map<number, number>();
  for (const row of rows) {
    if (row.g === SETS.total) total = Number(row.n_all);
    else if (row.g === SETS.brand && row.brand_key !== null && Number(row.n_brand) > 0) {
      brands.push({ value: row.brand!, count: Number(row.n_brand), selected: selectedBrands.includes(row.brand_key) });
    } else if (row.g === SETS.category && Number(row.n_category) > 0) {
      // A whole leaf is inside or outside the category filter, so any row's flag is the leaf's.
      categoryCounts.push({ id: row.category_id!, count: Number(row.n_category), selected: f.category !== null && row.in_category === true });
    }
    else if (row.g === SETS.price) priceCounts.set(row.bucket!, Number(row.n_price));
    else if (row.g === SETS.rating) starCounts.set(row.stars!, Number(row.n_rating));
  }
  brands.sort((a, b) => byCount(a, b, a.value.localeCompare(b.value)));
  const topCategories = categoryCounts.sort((a, b) => byCount(a, b, a.id - b.id)).filter((c, i) => i < FACET_SIZE || c.selected);
  const labels = await categoryLabels(topCategories.map((c) => c.id));
  return {
    total,
    facets: {
      brands: brands.filter((b, i) => i < FACET_SIZE || b.selected),
      categories: topCategories.map((c) => ({ id: c.id, name: labels.get(c.id)?.name ?? '', path: labels.get(c.id)?.path ?? '', count: c.count, selected: c.selected })),
      priceRanges: PRICE_BOUNDS.map((min, i) => ({ min, max: PRICE_BOUNDS[i + 1] ?? null, count: priceCounts.get(i) ?? 0 })),
      // "n stars and up" from the per-star histogram.
      ratings: RATING_STEPS.map((min) => ({ min, count: [...starCounts].filter(([stars]) => stars >= min).reduce((sum, [, n]) => sum + n, 0) })),
    },
  };
}

