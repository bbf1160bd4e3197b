import type { Kysely } from 'kysely';
import type { Cache } from '../../platform/cache.ts';
import { pgErrorCode } from '../../platform/database.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, invalid, isAppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { FallbackSearchEngine } from './fallback.engine.ts';
import { MemoryEngine } from './memory.engine.ts';
import { PostgresSearchEngine } from './postgres.engine.ts';
import { SearchIndexer } from './search.indexer.ts';
import { encodeSearchCursor, parseSearchParams, SEARCH_LIMITS, wordsOf } from './search.query.ts';
import { VocabularySnapshot } from './search.vocabulary.ts';
import type { EngineResult, ProductFeed, ReindexProgress, ReindexReport, SearchEngine, SearchParams, SearchQuery, SearchResponse, Suggestions } from './search.types.ts';

/** `memory`: each serving process answers from its own copy of the index; `postgres`: every search is SQL. */
export type SearchEngineKind = 'memory' | 'postgres';

export interface SearchServiceOptions {
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /**
   * Replaces the default engines: the memory engine (`engineKind` memory, the default), with
   * the PostgreSQL engine on `db` answering while it loads (caching facet counts in `cache` for
   * `facetCacheSeconds`).
   */
  engine?: SearchEngine;
  engineKind?: SearchEngineKind;
  /**
   * Where the engines read the index (searches, suggestions, the memory engine's sync):
   * DATABASE_READ_URL's replica, which falls back to the primary. Index writes always use `db`.
   */
  readDb?: Kysely<any>;
  /** How often the memory engine picks up index writes of other processes (default 1000 ms). */
  syncIntervalMs?: number;
  cache?: Cache;
  facetCacheSeconds?: number;
  /** Defaults to the ILIKE fallback on `db`. */
  fallback?: SearchEngine;
  /** After the engine fails, how long requests go straight to the fallback before the engine is tried again (default 5000). */
  cooldownMs?: number;
}

const isDataException = (error: unknown) => pgErrorCode(error)?.startsWith('22') ?? false;

const invalidSearchInput = (cause: unknown) =>
  Object.assign(invalid('invalid_search', 'A search parameter has a value out of range or in an unreadable form'), { cause });

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
 * `invalid_search` (400) when the database refuses a value of the request (never counted
 * as an engine failure); `search_unavailable` (503) when the fallback fails too.
 */
export class SearchService {
  readonly indexer: SearchIndexer;
  /** Tried in order; the first that is ready answers. */
  private readonly engines: SearchEngine[];
  private readonly memory: MemoryEngine | undefined;
  private readonly fallback: SearchEngine;
  private engineDownUntil = 0;
  private readonly degradedCounter;
  private readonly duration;

  constructor(
    db: Kysely<any>,
    private readonly feed: ProductFeed,
    private readonly options: SearchServiceOptions,
  ) {
    this.indexer = new SearchIndexer(db, feed);
    const reads = options.readDb ?? db;
    const vocabulary = new VocabularySnapshot(reads);
    const postgres = new PostgresSearchEngine(reads, { vocabulary, ...(options.cache ? { cache: options.cache } : {}), facetCacheSeconds: options.facetCacheSeconds ?? 0 });
    if (options.engine) this.engines = [options.engine];
    else if (options.engineKind === 'postgres') this.engines = [postgres];
    else {
      const onError = (error: unknown) => options.logger.warn({ err: error }, 'search index sync failed; serving the last copy');
      this.memory = new MemoryEngine(reads, { vocabulary, onError, ...(options.syncIntervalMs !== undefined ? { syncIntervalMs: options.syncIntervalMs } : {}) });
      this.engines = [this.memory, postgres];
    }
    this.fallback = options.fallback ?? new FallbackSearchEngine(reads);
    this.degradedCounter = options.metrics?.counter('bazaar_search_degraded_total', 'Search requests answered by the fallback', ['operation']);
    this.duration = options.metrics?.histogram(
      'bazaar_search_duration_seconds',
      'Time to answer a search or autocomplete request inside the search service, by engine that answered',
      ['operation', 'engine'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    if (this.memory && options.metrics) {
      const memory = this.memory;
      const gauge = options.metrics.gauge('bazaar_search_index_documents', 'Products in this process\'s in-memory search index');
      this.refreshGauge = () => gauge.set(memory.documentCount);
    }
  }

  private refreshGauge: () => void = () => undefined;

  /**
   * Loads the in-memory index before the process takes traffic (`serve`, `all`); until it is
   * loaded, searches are answered by the PostgreSQL engine. A no-op with `engineKind` postgres.
   */
  async warm(onProgress?: (done: number) => void): Promise<void> {
    await this.memory?.warm(onProgress);
    this.refreshGauge();
  }

  /** Which engine answers now: `memory`, or `postgres` (configured so, or while the memory index loads). */
  activeEngine(): string {
    return this.engines.find((e) => e.ready?.() ?? true)?.name ?? this.fallback.name;
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
      this.indexChanged();
    }
  }

  /**
   * Builds the index if it is empty while the catalog is not (a catalog bulk-imported without
   * events, e.g. by the seeder); returns the report, or undefined when nothing was needed.
   */
  async ensureIndexed(options: { onProgress?: (progress: ReindexProgress) => void } = {}): Promise<ReindexReport | undefined> {
    // Rows written before the analyzed columns existed are rebuilt too.
    if ((await this.indexer.countDocuments()) > 0 && !(await this.indexer.hasUnanalyzedDocuments())) return undefined;
    if ((await this.feed.countForIndex()) === 0) return undefined;
    return this.reindex(options);
  }

  /** Consumer path of `catalog.product.updated`: re-reads and re-indexes (or removes) the products. */
  async refreshProducts(ids: string[]): Promise<void> {
    await this.indexer.refreshProducts(ids);
    this.indexChanged();
  }

  /** Consumer path of `inventory.stock.changed`: refreshes in-stock flags. */
  async refreshAvailability(ids: string[]): Promise<void> {
    await this.indexer.refreshAvailability(ids);
    this.indexChanged();
  }

  private indexChanged(): void {
    for (const engine of this.engines) engine.indexChanged?.();
  }

  private async withFallback<T>(operation: string, run: (engine: SearchEngine) => Promise<T>): Promise<{ result: T; degraded: boolean }> {
    const started = performance.now();
    const timed = async (engine: SearchEngine) => {
      const result = await run(engine);
      this.duration?.observe({ operation, engine: engine.name }, (performance.now() - started) / 1000);
      return result;
    };
    const now = this.options.clock.now().getTime();
    if (now >= this.engineDownUntil) {
      const engine = this.engines.find((e) => e.ready?.() ?? true) ?? this.engines.at(-1)!;
      try {
        const result = await timed(engine);
        this.refreshGauge();
        return { result, degraded: false };
      } catch (error) {
        if (isAppError(error)) throw error;
        // A value the database refuses (SQLSTATE class 22) is this request's own input, not an
        // outage: degrading search for every shopper because of one request would let anyone
        // keep it degraded with a request every few seconds.
        if (isDataException(error)) throw invalidSearchInput(error);
        this.engineDownUntil = now + (this.options.cooldownMs ?? 5000);
        this.options.logger.warn({ err: error, engine: engine.name, operation }, 'search engine failed; answering from the fallback');
      }
    }
    this.degradedCounter?.inc({ operation });
    try {
      return { result: await timed(this.fallback), degraded: true };
    } catch (error) {
      if (isAppError(error)) throw error;
      if (isDataException(error)) throw invalidSearchInput(error);
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
    suggestions: result.suggestions ?? [],
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
