import { sql } from 'kysely';
import type { Redis } from 'ioredis';
import {
  LocalInvalidationChannel,
  NatsInvalidationChannel,
  PostgresInvalidationChannel,
  RedisInvalidationChannel,
  type InvalidationChannel,
} from '../platform/cache-invalidation.ts';
import { CdnPurger } from '../platform/cdn-purge.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import type { Config } from '../platform/config.ts';
import type { Databases } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';
import { ResponseCache } from '../platform/response-cache.ts';
import { RedisResponseStore } from '../platform/response-cache.redis.ts';

/** Object caches that hang off the same tags (the catalog's product cache, availability for personal pages). */
export interface ObjectCacheEviction {
  evictProducts(ids: string[]): Promise<void>;
}

export interface BrowseCacheDeps {
  config: Config;
  clock: Clock;
  databases: Databases;
  logger: Logger;
  metrics: Metrics;
  redis?: Redis;
  /** Test seam: the in-process hub name, so several contexts in one test process reach each other. */
  localHub?: string;
}

/** A CDN may re-fetch from a process that has not yet dropped its copy; a second ban a moment later closes that window. */
const CDN_REBAN_DELAY_MS = 1000;
const PRODUCT_TAG = /^product:(.+)$/;

/**
 * The browse path's caches as one thing to invalidate: the response cache (L1 here, L2 in
 * Redis), the other processes' L1 (through the invalidation channel), the object caches,
 * and the CDN. `invalidate` is what the cache invalidator and the write path call.
 */
export class BrowseCache {
  private objects: ObjectCacheEviction | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly responses: ResponseCache,
    readonly channel: InvalidationChannel,
    readonly cdn: CdnPurger,
    private readonly logger: Logger,
  ) {}

  /** Wires the object caches (they are built after the response cache). */
  attach(objects: ObjectCacheEviction): void {
    this.objects = objects;
  }

  /** Listens for other processes' invalidations. */
  async start(): Promise<void> {
    await this.channel.start({
      invalidate: (tags) => {
        this.responses.invalidateLocal(tags);
        this.evictObjects(tags).catch((error: unknown) => this.logger.warn({ err: error }, 'could not evict cached objects'));
      },
      gap: () => {
        this.logger.info({ channel: this.channel.kind }, 'cache invalidation channel reconnected; dropping in-process copies');
        this.responses.clearLocal();
      },
    });
  }

  /**
   * Drops every cached copy carrying one of `tags`, in this order: object caches, this
   * process and Redis, the other processes, then (with `cdn`) the CDN, so a CDN re-fetch
   * finds fresh data. Throws if a step failed; repeating is harmless.
   */
  async invalidate(tags: readonly string[], options: { cdn: boolean }): Promise<void> {
    if (tags.length === 0) return;
    await this.evictObjects(tags);
    await this.responses.invalidate(tags);
    await this.channel.publish(tags);
    if (!options.cdn || !this.cdn.configured) return;
    await this.cdn.banTags(tags);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.cdn.banTags(tags).catch((error: unknown) => this.logger.warn({ err: error, tags }, 'repeated CDN ban failed'));
    }, CDN_REBAN_DELAY_MS).unref();
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.channel.close();
  }

  private async evictObjects(tags: readonly string[]): Promise<void> {
    const ids = tags.flatMap((tag) => PRODUCT_TAG.exec(tag)?.[1] ?? []);
    if (ids.length > 0 && this.objects) await this.objects.evictProducts(ids);
  }
}

/** Redis pub/sub with REDIS_URL, else NATS core with NATS_URL, else PostgreSQL NOTIFY with DATABASE_URL, else in-process. */
function createChannel(deps: BrowseCacheDeps): InvalidationChannel {
  const { config, logger, redis } = deps;
  // The subscriber queues its SUBSCRIBE until connected (the shared client refuses commands while offline).
  if (redis) return new RedisInvalidationChannel(redis, redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }), `${config.redisKeyPrefix}cache:invalidate`, logger);
  if (config.natsUrl) return new NatsInvalidationChannel(config.natsUrl, `${config.natsStreamPrefix}.cache.invalidate`, logger);
  if (config.databaseUrl && deps.databases.kind === 'postgres') {
    const db = deps.databases.main;
    const notify = async (channel: string, payload: string) => void (await sql`select pg_notify(${channel}, ${payload})`.execute(db));
    return new PostgresInvalidationChannel(config.databaseUrl, 'bazaar_cache_invalidate', notify, logger);
  }
  return new LocalInvalidationChannel(deps.localHub);
}

export function createBrowseCache(deps: BrowseCacheDeps): BrowseCache {
  const { config, logger, metrics, redis, clock } = deps;
  const cacheLogger = logger.child({ component: 'response-cache' });
  // Date.now on the hot path; a test clock when one is given (freshness then follows it).
  const now = clock === systemClock ? Date.now : () => clock.now().getTime();
  const store = redis ? new RedisResponseStore(redis, config.redisKeyPrefix) : undefined;
  const responses = new ResponseCache(
    { l1MaxBytes: config.cacheL1MaxMb * 1024 * 1024, l1Seconds: config.cacheL1Seconds, now },
    store,
    cacheLogger,
    metrics,
  );
  const cdn = new CdnPurger({ urls: config.cdnPurgeUrls }, cacheLogger);
  return new BrowseCache(responses, createChannel(deps), cdn, cacheLogger);
}
