import { Redis, type RedisOptions } from 'ioredis';
import { parseSentinelUrl } from './config.ts';
import { LRUCache } from 'lru-cache';

/**
 * Read-path cache (product pages, approximate availability). In-process LRU by default,
 * Redis when REDIS_URL is set so several API processes share it. Values are JSON.
 * A cache failure never fails a request: it degrades to a miss.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /** One round trip for several keys; missing (or unreadable) ones are undefined, in order. */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryCache implements Cache {
  private readonly lru = new LRUCache<string, { value: string }>({ max: 50_000 });
  async get<T>(key: string): Promise<T | undefined> {
    const hit = this.lru.get(key);
    return hit ? (JSON.parse(hit.value) as T) : undefined;
  }
  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    return Promise.all(keys.map((key) => this.get<T>(key)));
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    this.lru.set(key, { value: JSON.stringify(value) }, { ttl: ttlSeconds * 1000 });
  }
  async delete(key: string): Promise<void> {
    this.lru.delete(key);
  }
  async close(): Promise<void> {
    this.lru.clear();
  }
}

export class RedisCache implements Cache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}
  async get<T>(key: string): Promise<T | undefined> {
    try {
      const raw = await this.redis.get(this.prefix + key);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch (error) {
      this.onError(error);
      return undefined;
    }
  }
  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    if (keys.length === 0) return [];
    try {
      const raws = await this.redis.mget(...keys.map((key) => this.prefix + key));
      return raws.map((raw) => (raw === null ? undefined : (JSON.parse(raw) as T)));
    } catch (error) {
      this.onError(error);
      return keys.map(() => undefined);
    }
  }
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', ttlSeconds);
    } catch (error) {
      this.onError(error);
    }
  }
  async delete(key: string): Promise<void> {
    try {
      await this.redis.del(this.prefix + key);
    } catch (error) {
      this.onError(error);
    }
  }
  /** The Redis client belongs to the application context, which closes it. */
  async close(): Promise<void> {}
}

/**
 * The process's Redis client. Commands fail fast while it is disconnected (no offline queue):
 * a cache miss or a rate-limit decision must not wait for Redis to come back. An outage is
 * logged once when it starts and once when it ends, not at every reconnection attempt.
 */
export function createRedis(url: string, log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void } = { warn() {}, info() {} }): Redis {
  const redis = url.startsWith('redis+sentinel:') ? new Redis(sentinelOptions(url)) : new Redis(url, { ...REDIS_OPTIONS });
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error }, 'Redis unavailable: cache misses, rate limits fail open (sign-in refuses with 503)');
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    log.info({}, 'Redis available again');
  });
  return redis;
}

const REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  lazyConnect: false,
  // A primary demoted by a failover answers writes with READONLY while it still takes our
  // connection: reconnect (through the Sentinels, to the new primary) and resend the command.
  reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
};

/**
 * ioredis options for a Sentinel-managed primary: the Sentinels are asked which node is the
 * primary at every (re)connection, and a `+switch-master` they announce makes the client
 * reconnect at once instead of when its old primary drops it.
 */
export function sentinelOptions(url: string): RedisOptions {
  const target = parseSentinelUrl('REDIS_URL', url);
  return {
    ...REDIS_OPTIONS,
    sentinels: target.sentinels,
    name: target.name,
    ...(target.password ? { password: target.password } : {}),
    failoverDetector: true,
    // Keep asking the Sentinels while none answers (a network blip), at most every 2 s.
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
}

/** Resolves when the client is connected, or after `timeoutMs` (the process starts degraded rather than not at all). */
export function redisReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
    redis.once('ready', onReady);
  });
}
