import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * Read-path cache (product pages, approximate availability). In-process LRU by default,
 * Redis when REDIS_URL is set so several API processes share it. Values are JSON.
 * A cache failure never fails a request: it degrades to a miss.
 */
export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
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

export function createRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
}
