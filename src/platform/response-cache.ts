import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { CacheCounters } from './response-cache.metrics.ts';
import { Flights } from './single-flight.ts';

/**
 * What a render produces: the bytes to send and how to label them. `ttlSeconds` overrides
 * the policy's freshness for this one response (e.g. shorter while a dependency is down).
 */
export interface RenderedResponse {
  status: number;
  contentType: string;
  body: string | Buffer;
  /** Stored and sent with every copy. A `set-cookie`, or a `cache-control` with private/no-store, keeps the response out of the cache. */
  headers?: Record<string, string>;
  ttlSeconds?: number;
  /** Tags known only once rendered (the products a list shows), added to the policy's. */
  tags?: readonly string[];
}

/** How one response is cached: under which key, invalidated by which tags, fresh for how long. */
export interface CachePolicy {
  /** The normalized request, e.g. `GET /v1/products/<id>`; equal keys must mean equal bytes. */
  key: string;
  /** Invalidation handles, e.g. `product:<id>`, `list:products`; letters, digits and `:_.-`. */
  tags: readonly string[];
  /** Fresh for this long after rendering. */
  ttlSeconds: number;
  /** After that, served while one refresh runs (stale-while-revalidate). */
  staleSeconds: number;
  /** After that, kept to be served only when rendering fails (stale-if-error). */
  errorSeconds: number;
}

/** A cached response. Times are epoch milliseconds; `etag` is computed once, when stored. */
export interface StoredResponse {
  key: string;
  status: number;
  contentType: string;
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
  tags: string[];
  storedAt: number;
  freshUntil: number;
  staleUntil: number;
  keepUntil: number;
}

export type CacheSource = 'l1' | 'l2' | 'render';

export interface CacheLookup {
  response: StoredResponse;
  source: CacheSource;
  /** Served past its freshness (while a refresh runs, or because rendering failed). */
  stale: boolean;
}

/** The invalidation versions of some tags, taken before a render. */
export interface StoreSnapshot {
  tags: string[];
  versions: string[];
}

/**
 * The shared level (L2), e.g. Redis. Every method may throw; the cache then carries on
 * without it. `put` stores only if none of the entry's tags was invalidated since
 * `snapshot` was taken, so a render that raced an invalidation never lands.
 */
export interface SharedResponseStore {
  get(key: string): Promise<StoredResponse | undefined>;
  snapshot(tags: readonly string[]): Promise<StoreSnapshot>;
  /** Keeps the entry `ttlMs` (until its `keepUntil`), indexed under all its tags. */
  put(response: StoredResponse, snapshot: StoreSnapshot, ttlMs: number): Promise<boolean>;
  invalidate(tags: readonly string[]): Promise<number>;
  readonly kind: string;
}

export interface ResponseCacheOptions {
  /** Bound of the in-process level, in bytes of stored bodies and headers. */
  l1MaxBytes: number;
  /** With a shared level: how long an in-process copy is served before the shared level is asked again (bounds a lost invalidation). */
  l1Seconds: number;
  /** Fraction of the freshness after which a hit refreshes the entry in the background (hot keys never go stale). */
  refreshAheadRatio?: number;
  /** A shared-level call slower than this counts as failed (default 250 ms). */
  l2TimeoutMs?: number;
  /** After a shared-level failure it is left alone this long (default 1000 ms). */
  l2RetryMs?: number;
  now?: () => number;
}

interface LocalEntry {
  response: StoredResponse;
  /** When to ask the shared level again (Infinity without one). */
  checkAt: number;
  /** When a hit starts a background refresh. */
  refreshAt: number;
}

const OVERHEAD_BYTES = 256;
const WARN_INTERVAL_MS = 10_000;
const TRACKED_TAGS = 100_000;
const NO_L2 = Symbol('no-l2');

/** `W/"<sha1>"`: weak, so a CDN that compresses the body may keep it. */
export function etagOf(body: Buffer): string {
  return `W/"${createHash('sha1').update(body).digest('base64url')}"`;
}

export function isCacheable(rendered: RenderedResponse): boolean {
  const headers = rendered.headers ?? {};
  if (rendered.status < 200 || rendered.status >= 300) return false;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'set-cookie') return false;
    if (lower === 'cache-control' && /\b(private|no-store|no-cache)\b/i.test(value)) return false;
  }
  return true;
}

/**
 * Cached responses (serialized bodies with their ETag and headers), in two levels: a
 * bounded in-process LRU (L1) in front of an optional shared store (L2, Redis).
 *
 * - A hit is a map lookup: no serialization, hashing or schema work.
 * - Single-flight per key: concurrent misses of one key share one render, and one L2 read.
 * - Stale-while-revalidate: past its freshness an entry is served while one refresh runs;
 *   hits late in its freshness refresh it ahead of time, so hot keys never go stale.
 * - Stale-if-error: when rendering fails, an entry within `errorSeconds` is served instead.
 * - Invalidation by tag drops the L1 copies at once and the L2 copies by script; a render
 *   that started before an invalidation of one of its tags is served but not stored.
 * - L2 failures never fail a request: the cache serves from L1 and renders, counts the
 *   failure, logs one line per outage, and leaves L2 alone for `l2RetryMs`.
 *
 * Invalidations reach other processes through an InvalidationChannel wired by the
 * composition root, which calls `invalidateLocal` / `clearLocal`.
 */
export class ResponseCache {
  private readonly l1: LRUCache<string, LocalEntry>;
  private readonly byTag = new Map<string, Set<string>>();
  private readonly flights = new Flights<CacheLookup>();
  private readonly renders = new Flights<StoredResponse>();
  /** Invalidation sequence: per tag the last one that touched it; below `floor` we forgot. */
  private seq = 0;
  private floor = 0;
  private readonly tagSeq: LRUCache<string, number>;
  private l2Up = true;
  private l2RetryAt = 0;
  private readonly warned = new Map<string, { at: number; suppressed: number }>();
  /** The cache's clock (epoch ms): entries' times and `Age` are read against it. */
  readonly now: () => number;
  readonly counters: CacheCounters;

  constructor(
    private readonly options: ResponseCacheOptions,
    private readonly shared: SharedResponseStore | undefined,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.now = options.now ?? Date.now;
    this.counters = new CacheCounters(metrics, () => ({ entries: this.l1.size, bytes: this.l1.calculatedSize ?? 0, l2Up: shared ? this.l2Up : undefined }));
    this.l1 = new LRUCache<string, LocalEntry>({
      maxSize: Math.max(options.l1MaxBytes, 1),
      sizeCalculation: (entry) => entry.response.body.length + OVERHEAD_BYTES,
      dispose: (entry, key, reason) => {
        if (reason !== 'set') this.unindex(key, entry.response.tags);
      },
    });
    this.tagSeq = new LRUCache<string, number>({
      max: TRACKED_TAGS,
      dispose: (value, _key, reason) => {
        if (reason === 'evict') this.floor = Math.max(this.floor, value);
      },
    });
  }

  get sharedKind(): string | undefined {
    return this.shared?.kind;
  }

  /**
   * The response for `policy.key`: from L1, else L2, else `render()` (stored in both).
   * Rejects only when rendering fails and nothing servable is kept (the render's error).
   */
  async lookup(policy: CachePolicy, render: () => Promise<RenderedResponse>): Promise<CacheLookup> {
    const now = this.now();
    const local = this.l1.get(policy.key);
    if (local) {
      const response = local.response;
      if (now < response.freshUntil) {
        this.counters.l1Hit.count++;
        this.counters.answered.count++;
        if (now >= local.refreshAt || now >= local.checkAt) this.refreshInBackground(policy, render, response);
        return { response, source: 'l1', stale: false };
      }
      if (now < response.staleUntil) {
        this.counters.l1Stale.count++;
        this.counters.answered.count++;
        this.refreshInBackground(policy, render, response);
        return { response, source: 'l1', stale: true };
      }
    }
    this.counters.l1Miss.count++;
    const result = await this.fetch(policy, render, local?.response);
    if (result.source === 'render') this.counters.rendered.count++;
    else this.counters.answered.count++;
    return result;
  }

  /** Renders and stores now, whatever is cached (cache warming). */
  async prime(policy: CachePolicy, render: () => Promise<RenderedResponse>): Promise<StoredResponse> {
    return this.renderAndStore(policy, render);
  }

  /** Drops every entry carrying one of `tags`, here and in L2. Throws if L2 could not be reached (the caller retries). */
  async invalidate(tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    this.invalidateLocal(tags);
    if (!this.shared) return;
    try {
      await this.withTimeout(this.shared.invalidate(tags));
      this.markL2(true);
    } catch (error) {
      this.markL2(false, error);
      throw error;
    }
  }

  /** Drops this process's copies of entries carrying one of `tags` (an invalidation from another process). */
  invalidateLocal(tags: readonly string[]): void {
    this.seq++;
    const touched = new Set(tags);
    this.flights.detach(touched);
    this.renders.detach(touched);
    for (const tag of tags) {
      this.tagSeq.set(tag, this.seq);
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) this.l1.delete(key);
    }
    this.counters.invalidations.count += tags.length;
  }

  /** Forgets every in-process copy: invalidations may have been missed (the channel reconnected). */
  clearLocal(): void {
    this.seq++;
    this.floor = this.seq;
    this.flights.detachAll();
    this.renders.detachAll();
    this.l1.clear();
    this.byTag.clear();
  }

  /** The in-process entries (diagnostics and tests). */
  localEntries(): StoredResponse[] {
    return [...this.l1.values()].map((entry) => entry.response);
  }

  private refreshInBackground(policy: CachePolicy, render: () => Promise<RenderedResponse>, current: StoredResponse): void {
    if (this.flights.has(policy.key)) return;
    this.fetch(policy, render, current, true).catch((error: unknown) => {
      this.counters.renderErrors.count++;
      this.warnAtMostEvery('refresh', error, policy.key, 'background refresh of a cached response failed; serving the cached copy');
    });
  }

  /** While the database is down every request would log: one line per kind per interval, with how many were left out. */
  private warnAtMostEvery(kind: string, error: unknown, key: string, message: string): void {
    const now = this.now();
    const last = this.warned.get(kind);
    if (last && now - last.at < WARN_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    this.warned.set(kind, { at: now, suppressed: 0 });
    this.logger.warn({ err: error, key, suppressedSinceLast: last?.suppressed ?? 0 }, message);
  }

  /** One L2 read and, if needed, one render per key at a time. */
  private fetch(policy: CachePolicy, render: () => Promise<RenderedResponse>, fallback?: StoredResponse, refreshing = false): Promise<CacheLookup> {
    return this.flights.run(policy.key, policy.tags, () => this.fetchOnce(policy, render, fallback, refreshing));
  }

  private async fetchOnce(policy: CachePolicy, render: () => Promise<RenderedResponse>, fallback: StoredResponse | undefined, refreshing: boolean): Promise<CacheLookup> {
    let kept = fallback;
    if (this.shared) {
      const startSeq = this.seq;
      const remote = await this.l2Call((store) => store.get(policy.key));
      const now = this.now();
      if (remote !== NO_L2 && remote && now < remote.keepUntil) {
        const newer = !kept || remote.storedAt >= kept.storedAt;
        if (newer) kept = remote;
        const aheadDue = refreshing && now >= refreshAtOf(remote, this.options.refreshAheadRatio);
        if (newer && now < remote.staleUntil && !aheadDue) {
          if (!this.invalidatedSince(remote.tags, startSeq)) this.putLocal(remote);
          if (now < remote.freshUntil) {
            this.counters.l2Hit.count++;
            return { response: remote, source: 'l2', stale: false };
          }
          this.counters.l2Stale.count++;
          this.renderAndStore(policy, render).catch((error: unknown) => this.warnAtMostEvery('refresh', error, policy.key, 'refresh of a stale cached response failed'));
          return { response: remote, source: 'l2', stale: true };
        }
      }
      if (remote !== NO_L2) this.counters.l2Miss.count++;
    }
    try {
      return { response: await this.renderAndStore(policy, render), source: 'render', stale: false };
    } catch (error) {
      if (kept && this.now() < kept.keepUntil) {
        this.counters.servedOnError.count++;
        this.warnAtMostEvery('render', error, policy.key, 'rendering failed; serving the last cached copy');
        return { response: kept, source: 'l1', stale: true };
      }
      throw error;
    }
  }

  private renderAndStore(policy: CachePolicy, render: () => Promise<RenderedResponse>): Promise<StoredResponse> {
    return this.renders.run(policy.key, policy.tags, () => this.renderOnce(policy, render));
  }

  private async renderOnce(policy: CachePolicy, render: () => Promise<RenderedResponse>): Promise<StoredResponse> {
    const startSeq = this.seq;
    const snapshot = this.shared ? await this.l2Call((store) => store.snapshot(policy.tags)) : NO_L2;
    const rendered = await render();
    this.counters.renders.count++;
    const response = toStored(policy, rendered, this.now());
    if (!isCacheable(rendered)) return response;
    // Tags added by the render are not in the L2 snapshot; an invalidation of one that reached
    // this process meanwhile (from the channel) keeps the entry out of both levels.
    if (this.invalidatedSince(response.tags, startSeq)) return response;
    this.putLocal(response);
    if (snapshot !== NO_L2) {
      const stored = await this.l2Call((store) => store.put(response, snapshot, response.keepUntil - this.now()));
      if (stored === false) this.counters.racedInvalidation.count++;
    }
    return response;
  }

  private invalidatedSince(tags: readonly string[], startSeq: number): boolean {
    if (startSeq === this.seq) return false;
    if (startSeq < this.floor) return true;
    return tags.some((tag) => (this.tagSeq.peek(tag) ?? 0) > startSeq);
  }

  private putLocal(response: StoredResponse): void {
    const key = response.key;
    const previous = this.l1.peek(key);
    if (previous) this.unindex(key, previous.response.tags);
    const now = this.now();
    const checkAt = this.shared ? now + this.options.l1Seconds * 1000 : Number.POSITIVE_INFINITY;
    const ttl = response.keepUntil - now;
    if (ttl <= 0) return;
    this.l1.set(key, { response, checkAt, refreshAt: refreshAtOf(response, this.options.refreshAheadRatio) }, { ttl });
    if (!this.l1.has(key)) return;
    for (const tag of response.tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(tag);
    }
  }

  private async l2Call<T>(op: (store: SharedResponseStore) => Promise<T>): Promise<T | typeof NO_L2> {
    const store = this.shared;
    if (!store) return NO_L2;
    if (this.now() < this.l2RetryAt) {
      this.counters.l2Error.count++;
      return NO_L2;
    }
    try {
      const result = await this.withTimeout(op(store));
      this.markL2(true);
      return result;
    } catch (error) {
      this.counters.l2Error.count++;
      this.markL2(false, error);
      return NO_L2;
    }
  }

  private markL2(up: boolean, error?: unknown): void {
    if (!up) this.l2RetryAt = this.now() + (this.options.l2RetryMs ?? 1000);
    if (up === this.l2Up) return;
    this.l2Up = up;
    if (up) this.logger.info({ store: this.shared?.kind }, 'shared response cache reachable again');
    else this.logger.warn({ err: error, store: this.shared?.kind }, 'shared response cache unreachable: serving from the in-process cache and the database until it is back');
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    const ms = this.options.l2TimeoutMs ?? 250;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`shared cache did not answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function refreshAtOf(response: StoredResponse, ratio = 0.8): number {
  return response.storedAt + (response.freshUntil - response.storedAt) * ratio;
}

function toStored(policy: CachePolicy, rendered: RenderedResponse, now: number): StoredResponse {
  const body = typeof rendered.body === 'string' ? Buffer.from(rendered.body) : rendered.body;
  const ttlMs = Math.max(0, rendered.ttlSeconds ?? policy.ttlSeconds) * 1000;
  const freshUntil = now + ttlMs;
  const staleUntil = freshUntil + policy.staleSeconds * 1000;
  return {
    key: policy.key,
    status: rendered.status,
    contentType: rendered.contentType,
    body,
    etag: etagOf(body),
    headers: { ...rendered.headers },
    tags: rendered.tags ? [...new Set([...policy.tags, ...rendered.tags])] : [...policy.tags],
    storedAt: now,
    freshUntil,
    staleUntil,
    keepUntil: staleUntil + policy.errorSeconds * 1000,
  };
}
