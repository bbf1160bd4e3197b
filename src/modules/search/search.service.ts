import type { Kysely } from 'kysely';
import type { Cache } from '../../platform/cache.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, invalid, isAppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { FallbackSearchEngine } from './fallback.engine.ts';
import { PostgresSearchEngine } from './postgres.engine.ts';
import { SearchIndexer } from './search.indexer.ts';
import { encodeSearchCursor, parseSearchParams, SEARCH_LIMITS, wordsOf } from './search.query.ts';
import type { EngineResult, ProductFeed, ReindexProgress, ReindexReport, SearchEngine, SearchParams, SearchQuery, SearchResponse, Suggestions } from './search.types.ts';

export interface SearchServiceOptions {
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /** Defaults to the PostgreSQL engine on `db`, caching facet counts in `cache` for `facetCacheSeconds`. */
  engine?: SearchEngine;
  cache?: Cache;
  facetCacheSeconds?: number;
  /** Defaults to the ILIKE fallback on `db`. */
  fallback?: SearchEngine;
  /** After the engine fails, how long requests go straight to the fallback before the engine is tried again (default 5000). */
  cooldownMs?: number;
}

const unavailable = (cause: unknown) =>
  Object.assign(new AppError('search_unavailable', 'unavailable', 'Search is unavailable right now; browsing categories still works'), { cause });

/**
 * Product search: full-text relevance, filters, facets, sorts, keyset pages, autocomplete and
 * spelling help, over an index derived from the catalog (never the source of truth).
 *
 * When the engine throws, the request is answered by the fallback with `degraded: true`, and
 * for `cooldownMs` afterwards the engine is not tried, so an outage costs each request one
 * fast query rather than one failure plus one query.
 *
 * Error codes: the `invalid_*` / `query_too_long` codes of `parseSearchParams` (400);
 * `search_unavailable` (503) when the fallback fails too.
 */
export class SearchService {
  readonly indexer: SearchIndexer;
  private readonly engine: SearchEngine;
  private readonly fallback: SearchEngine;
  private engineDownUntil = 0;
  private readonly degradedCounter;

  constructor(
    db: Kysely<any>,
    private readonly feed: ProductFeed,
    private readonly options: SearchServiceOptions,
  ) {
    this.indexer = new SearchIndexer(db, feed);
    this.engine =
      options.engine ?? new PostgresSearchEngine(db, { ...(options.cache ? { cache: options.cache } : {}), facetCacheSeconds: options.facetCacheSeconds ?? 0 });
    this.fallback = options.fallback ?? new FallbackSearchEngine(db);
    this.degradedCounter = options.metrics?.counter('bazaar_search_degraded_total', 'Search requests answered by the fallback', ['operation']);
  }

  async search(params: SearchParams): Promise<SearchResponse> {
    const { query } = parseSearchParams(params);
    const { result, degraded } = await this.withFallback('search', (engine) => engine.search(query));
    return present(query, result, degraded);
  }

  /** Autocomplete for a prefix: matching product titles, brands and categories. `limit` per group (1–10, default 5). */
  async suggest(q: string, limit = 5): Promise<Suggestions & { degraded: boolean }> {
    if (q.length > SEARCH_LIMITS.queryLength) throw invalid('query_too_long', `q may be at most ${SEARCH_LIMITS.queryLength} characters`);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > SEARCH_LIMITS.suggestions) {
      throw invalid('invalid_limit', `limit must be an integer from 1 to ${SEARCH_LIMITS.suggestions}`);
    }
    const words = wordsOf(q).slice(0, SEARCH_LIMITS.words);
    const { result, degraded } = await this.withFallback('suggest', (engine) => engine.suggest(words, limit));
    return { ...result, degraded };
  }

  /** Rebuilds the whole index from the catalog (`bazaar search reindex`). */
  async reindex(options: { onProgress?: (progress: ReindexProgress) => void; pageSize?: number } = {}): Promise<ReindexReport> {
    try {
      return await this.indexer.reindex(options);
    } finally {
      this.engine.indexChanged?.();
    }
  }

  /**
   * Builds the index if it is empty while the catalog is not (a catalog bulk-imported without
   * events, e.g. by the seeder); returns the report, or undefined when nothing was needed.
   */
  async ensureIndexed(options: { onProgress?: (progress: ReindexProgress) => void } = {}): Promise<ReindexReport | undefined> {
    if ((await this.indexer.countDocuments()) > 0) return undefined;
    if ((await this.feed.countForIndex()) === 0) return undefined;
    return this.reindex(options);
  }

  /** Consumer path of `catalog.product.updated`: re-reads and re-indexes (or removes) the products. */
  async refreshProducts(ids: string[]): Promise<void> {
    await this.indexer.refreshProducts(ids);
    this.engine.indexChanged?.();
  }

  /** Consumer path of `inventory.stock.changed`: refreshes in-stock flags. */
  refreshAvailability(ids: string[]): Promise<void> {
    return this.indexer.refreshAvailability(ids);
  }

  private async withFallback<T>(operation: string, run: (engine: SearchEngine) => Promise<T>): Promise<{ result: T; degraded: boolean }> {
    const now = this.options.clock.now().getTime();
    if (now >= this.engineDownUntil) {
      try {
        return { result: await run(this.engine), degraded: false };
      } catch (error) {
        if (isAppError(error)) throw error;
        this.engineDownUntil = now + (this.options.cooldownMs ?? 5000);
        this.options.logger.warn({ err: error, engine: this.engine.name, operation }, 'search engine failed; answering from the fallback');
      }
    }
    this.degradedCounter?.inc({ operation });
    try {
      return { result: await run(this.fallback), degraded: true };
    } catch (error) {
      if (isAppError(error)) throw error;
      this.options.logger.error({ err: error, operation }, 'search fallback failed too');
      throw unavailable(error);
    }
  }
}

function present(query: SearchQuery, result: EngineResult, degraded: boolean): SearchResponse {
  return {
    products: result.hits,
    facets: result.facets,
    totalCount: result.totalCount,
    nextCursor: result.next ? encodeSearchCursor(result.next) : null,
    didYouMean: result.didYouMean,
    query: {
      text: result.interpretation.words.join(' '),
      corrected: result.interpretation.corrected,
      match: result.interpretation.match,
      priceMin: query.priceMin,
      priceMax: query.priceMax,
    },
    degraded,
  };
}
