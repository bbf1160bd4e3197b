import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Cache } from '../../platform/cache.ts';
import { countFacets } from './search.facets.ts';
import { BrandSnapshot, CategorySnapshot } from './search.snapshot.ts';
import type { VocabularySnapshot } from './search.vocabulary.ts';
import { afterCursor, allFacetFilters, and, facetFilters, HIT_COLUMNS, inCategories, orderBy, sortValue, tsQuery, type HitRow } from './search.sql.ts';
import type { CursorKey, EngineResult, Facets, SearchEngine, SearchHit, SearchQuery, Suggestions } from './search.types.ts';

export const toHit = (row: HitRow): SearchHit => ({
  id: row.product_id,
  sellerId: row.seller_id,
  title: row.title,
  brand: row.brand,
  priceAmount: row.price_amount,
  currency: row.currency.trim(),
  image: row.image,
  category: { id: row.category_id, name: row.category_name, path: row.category_path },
  avgRating: Number(row.avg_rating),
  reviewCount: row.review_count,
  availability: row.availability,
  inStock: row.in_stock,
  createdAt: new Date(row.created_at),
  // The SQL engines list children one by one (no grouping): each stands for its family at its own price.
  family:
    row.family_id === null
      ? null
      : { id: row.family_id, title: row.family_title ?? '', priceMin: row.price_amount, priceMax: row.price_amount, matchingVariants: 1 },
});

/** The cursor value of a row: exact text of its sort key (ISO time for `newest`). */
export function keyOf(query: SearchQuery, row: HitRow): CursorKey {
  const value = query.sort === 'newest' ? new Date(row.created_at).toISOString() : row.sort_key;
  return { sort: query.sort, value, value2: query.sort === 'rating' ? String(row.review_count) : '', id: row.product_id };
}

type Match = 'all' | 'any';
const SUGGEST_CANDIDATES = 500;
type FacetCounts = { facets: Facets; total: number };

export interface PostgresEngineOptions {
  /**
   * Where facet counts and totals are kept, fresh for `facetCacheSeconds` (0 = not cached).
   * Counting is the expensive part of a browse page (its category facet spans the whole
   * catalog), and the same landing pages are asked for again and again; hits are always read
   * fresh, so a total may lag its hits by that long.
   */
  cache?: Cache;
  facetCacheSeconds?: number;
  /** Spelling vocabulary (`search_terms` in memory). */
  vocabulary: VocabularySnapshot;
}

/**
 * Full-text search over `search_documents` with PostgreSQL: a weighted English tsvector
 * (GIN) for matching and ranking, facet counts in one statement, keyset pages, and the shared
 * spelling corrector. All words must match; when none do, unknown words are corrected
 * (applied when it is a likely typo, else offered as `didYouMean`), and a query of three or
 * more words that never occur together matches products with at least two thirds of them.
 * Serves while the memory engine loads, or always with SEARCH_ENGINE=postgres; its ranking is
 * text rank × popularity, without the memory engine's product-kind model.
 */
export class PostgresSearchEngine implements SearchEngine {
  readonly name = 'postgres';
  private readonly counting = new Map<string, Promise<FacetCounts>>();
  private readonly categories: CategorySnapshot;
  private readonly brands: BrandSnapshot;

  constructor(
    private readonly db: Kysely<any>,
    private readonly options: PostgresEngineOptions,
  ) {
    this.categories = new CategorySnapshot(db);
    this.brands = new BrandSnapshot(db);
  }

  indexChanged(): void {
    this.categories.invalidate();
    this.options.vocabulary.invalidate();
  }

  async search(query: SearchQuery): Promise<EngineResult> {
    const interpretation = (words: string[], corrected: boolean, match: Match) => ({ words, corrected, match });
    if (query.words.length === 0) return { ...(await this.run(query, [], 'all')), didYouMean: null, interpretation: interpretation([], false, 'all') };

    const strict = await this.run(query, query.words, 'all');
    if (strict.totalCount > 0) return { ...strict, didYouMean: null, interpretation: interpretation(query.words, false, 'all') };

    const corrector = await this.options.vocabulary.get();
    const correction = corrector.correct(query.words, (w) => corrector.knows(w));
    const suggestion = correction.changed ? correction.words.join(' ') : null;
    const words = correction.confident ? correction.words : query.words;
    if (correction.confident) {
      const corrected = await this.run(query, words, 'all');
      if (corrected.totalCount > 0) return { ...corrected, didYouMean: suggestion, interpretation: interpretation(words, true, 'all') };
    }
    if (words.length >= 3 && !(await this.anyDocumentHasAll(words))) {
      const relaxed = await this.run(query, words, 'any');
      if (relaxed.totalCount > 0) {
        return { ...relaxed, didYouMean: suggestion, interpretation: interpretation(words, correction.confident, 'any') };
      }
    }
    return { ...strict, didYouMean: suggestion, interpretation: interpretation(query.words, false, 'all') };
  }

  async suggest(words: string[], limit: number): Promise<Suggestions> {
    if (words.length === 0) return { products: [], brands: [], categories: [] };
    const prefix = words.join(' ');
    // Whole words before the last, which is still being typed: 'trail & runn:*'.
    const tsq = sql`to_tsquery('simple', ${[...words.slice(0, -1), `${words.at(-1)}:*`].join(' & ')})`;
    // A short prefix matches much of the catalog: rank the first matches found, not all of them.
    const [products, brands, categories] = await Promise.all([
      sql<{ product_id: string; title: string }>`
        select product_id, title from (
          select product_id, title, popularity from search_documents where suggest @@ ${tsq} limit ${SUGGEST_CANDIDATES}
        ) candidates order by popularity desc, product_id desc limit ${limit}`.execute(this.db),
      this.brands.matching(prefix, limit),
      this.categories.matching(prefix, limit),
    ]);
    return {
      products: products.rows.map((r) => ({ id: r.product_id, title: r.title })),
      brands: brands.map((b) => ({ name: b.name, count: b.count })),
      categories: categories.map((c) => ({ id: c.id, name: c.name, path: c.path })),
    };
  }

  private async run(query: SearchQuery, words: string[], match: Match): Promise<Omit<EngineResult, 'didYouMean' | 'interpretation'>> {
    const tsq = words.length === 0 ? null : tsQuery(words, match === 'all' ? '&' : '|');
    const category = query.category && (await this.categories.resolve(query.category));
    const facets = facetFilters(query, category ? inCategories(category.ids) : null);
    // Relaxed: at least two thirds of the words, not any one of them.
    const share = match === 'any' ? sql`(${sql.join(words.map((w) => sql`(document @@ ${tsQuery([w], '&')})::int`), sql` + `)}) >= ${Math.ceil((2 * words.length) / 3)}` : null;
    const base = and([tsq === null ? null : sql`document @@ ${tsq}`, share, query.inStock ? sql`in_stock` : null]);
    // The category facet spans the selected category's siblings, not the whole catalog.
    const scope = category && category.siblings ? inCategories(category.siblings) : null;
    const count = () => countFacets(this.db, and([base, scope]), facets, query.brands, (ids) => this.categories.byIds(ids));
    const [hits, counts] = await Promise.all([this.hits(query, tsq, and([base, ...allFacetFilters(facets)])), this.facets(query, words, match, count)]);
    return { ...hits, facets: counts.facets, totalCount: counts.total };
  }

  /**
   * Facet counts from the cache. Past `facetCacheSeconds` an entry is still served while one
   * background count replaces it (stale-while-revalidate, up to 10× the age), so only the
   * first request for some filters ever waits for counting; concurrent misses count once.
   */
  private async facets(query: SearchQuery, words: string[], match: Match, count: () => Promise<FacetCounts>): Promise<FacetCounts> {
    const { cache, facetCacheSeconds = 0 } = this.options;
    if (!cache || facetCacheSeconds <= 0) return count();
    const { category, brands, priceMin, priceMax, ratingMin, inStock } = query;
    const key = `search:facets:${createHash('sha1').update(JSON.stringify([words, match, category, brands, priceMin, priceMax, ratingMin, inStock])).digest('base64url')}`;
    const cached = await cache.get<FacetCounts & { at: number }>(key);
    const recount = () => {
      const pending = this.counting.get(key);
      if (pending) return pending;
      const counting = count()
        .then(async (fresh) => {
          await cache.set(key, { ...fresh, at: Date.now() }, facetCacheSeconds * 10);
          return fresh;
        })
        .finally(() => this.counting.delete(key));
      this.counting.set(key, counting);
      return counting;
    };
    if (!cached) return recount();
    if (Date.now() - cached.at > facetCacheSeconds * 1000) recount().catch(() => undefined);
    return { facets: cached.facets, total: cached.total };
  }

  private async hits(query: SearchQuery, tsq: RawBuilder<unknown> | null, where: RawBuilder<unknown>) {
    // A relevance cursor issued by the fallback (a timestamp) cannot continue a ranked list: start over.
    const after = query.after?.sort === 'relevance' && !/^-?[\d.]+$/.test(query.after.value) ? null : query.after;
    const { rows } = await sql<HitRow>`
      select *, sort_value::text as sort_key from (
        select ${HIT_COLUMNS}, ${sortValue(query.sort, tsq)} as sort_value
        from search_documents where ${where}
      ) d
      where ${and([afterCursor(after, tsq !== null)])}
      order by ${orderBy(query.sort)}
      limit ${query.limit + 1}`.execute(this.db);
    const page = rows.slice(0, query.limit);
    return { hits: page.map(toHit), next: rows.length > query.limit ? keyOf(query, page.at(-1)!) : null };
  }

  private async anyDocumentHasAll(words: string[]): Promise<boolean> {
    const { rows } = await sql<{ found: boolean }>`select exists (select 1 from search_documents where document @@ ${tsQuery(words, '&')}) as found`.execute(this.db);
    return rows[0]?.found === true;
  }
}
