import { sql, type Kysely } from 'kysely';
import { keyOf, toHit } from './postgres.engine.ts';
import { isCursorTime } from './search.query.ts';
import { PRICE_BOUNDS, RATING_STEPS } from './search.facets.ts';
import { afterCursor, allFacetFilters, and, facetFilters, HIT_COLUMNS, inCategoryArrays, orderBy, type HitRow } from './search.sql.ts';
import type { EngineResult, Facets, SearchEngine, SearchQuery, Suggestions } from './search.types.ts';

const NO_FACETS: Facets = {
  categories: [],
  brands: [],
  priceRanges: PRICE_BOUNDS.map((min, i) => ({ min, max: PRICE_BOUNDS[i + 1] ?? null, count: 0 })),
  ratings: RATING_STEPS.map((min) => ({ min, count: 0 })),
};

/**
 * The degraded answer when the main engine fails (the spec's "simpler DB-backed search"):
 * every word must appear in the title or brand (ILIKE, no stemming, no spelling help), the
 * same filters and sorts, relevance replaced by newest first, and no facet counts. It uses
 * none of the full-text machinery (tsvector, ranking, vocabulary), so it keeps answering
 * when that is what broke.
 */
export class FallbackSearchEngine implements SearchEngine {
  readonly name = 'fallback';

  constructor(private readonly db: Kysely<any>) {}

  async search(query: SearchQuery): Promise<EngineResult> {
    const sort = query.sort === 'relevance' ? 'newest' : query.sort;
    const textMatch = query.words.map((w) => sql`(title ilike ${`%${w}%`} or brand ilike ${`%${w}%`})`);
    const where = and([...textMatch, query.inStock ? sql`in_stock` : null, ...allFacetFilters(facetFilters(query, query.category && inCategoryArrays(query.category)))]);
    const after = query.after && !(query.after.sort === 'relevance' && !isCursorTime(query.after.value)) ? { ...query.after, sort } : null;
    const sortColumn = sort === 'newest' ? sql`created_at` : sort === 'rating' ? sql`avg_rating` : sql`price_amount`;
    const [rows, count] = await Promise.all([
      sql<HitRow>`
        select *, sort_value::text as sort_key from (
          select ${HIT_COLUMNS}, ${sortColumn} as sort_value from search_documents where ${where}
        ) d
        where ${and([afterCursor(after, false)])}
        order by ${orderBy(sort)}
        limit ${query.limit + 1}`.execute(this.db),
      sql<{ n: number }>`select count(*) as n from search_documents where ${where}`.execute(this.db),
    ]);
    const page = rows.rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      hits: page.map(toHit),
      // Keyed as the requested sort so the cursor stays valid for the same request.
      next: rows.rows.length > query.limit && last ? { ...keyOf({ ...query, sort }, last), sort: query.sort } : null,
      facets: NO_FACETS,
      totalCount: Number(count.rows[0]?.n ?? 0),
      didYouMean: null,
      interpretation: { words: query.words, corrected: false, match: 'all' },
    };
  }

  async suggest(words: string[], limit: number): Promise<Suggestions> {
    if (words.length === 0) return { products: [], brands: [], categories: [] };
    const { rows } = await sql<{ product_id: string; title: string }>`
      select product_id, title from search_documents where title ilike ${`%${words.join(' ')}%`}
      order by created_at desc, product_id desc limit ${limit}`.execute(this.db);
    return { products: rows.map((r) => ({ id: r.product_id, title: r.title })), brands: [], categories: [] };
  }
}
