import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.ts';

const FLUSH_MS = 10_000;
/** Distinct products counted between flushes; beyond that new ones wait for the next window. */
const MAX_PENDING = 200_000;
const KEEP_DAYS = 8;
const DAY_MS = 86_400_000;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

/**
 * Product page views, to know what to warm before a sale. Recording only bumps a map
 * entry; every 10 s the counts go to Redis, a sorted set per UTC day kept 8 days, so every
 * API process contributes. Without Redis the counts stay in this process (the embedded
 * mode runs the warming worker in the same process).
 */
export class ViewCounter {
  private pending = new Map<string, number>();
  private readonly local = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(productId: string): void {
    const count = this.pending.get(productId);
    if (count !== undefined) this.pending.set(productId, count + 1);
    else if (this.pending.size < MAX_PENDING) this.pending.set(productId, 1);
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS).unref();
  }

  /** Moves the counts recorded so far to their store. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    if (!this.redis) {
      for (const [id, n] of batch) if (this.local.has(id) || this.local.size < MAX_PENDING) this.local.set(id, (this.local.get(id) ?? 0) + n);
      return;
    }
    const key = this.dayKey(this.now());
    const pipeline = this.redis.pipeline();
    for (const [id, n] of batch) pipeline.zincrby(key, n, id);
    pipeline.expire(key, KEEP_DAYS * 86_400);
    try {
      await pipeline.exec();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not record product views; this window is lost');
    }
  }

  /** The most viewed product ids over the last `days` days (today included), most first. */
  async top(limit: number, days = 7): Promise<string[]> {
    await this.flush();
    const totals = new Map<string, number>();
    if (!this.redis) {
      for (const [id, n] of this.local) totals.set(id, n);
    } else {
      const keys = Array.from({ length: days }, (_, i) => this.dayKey(this.now() - i * DAY_MS));
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.zrevrange(key, 0, limit - 1, 'WITHSCORES');
      for (const [error, result] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const flat = result as string[];
        for (let i = 0; i < flat.length; i += 2) totals.set(flat[i]!, (totals.get(flat[i]!) ?? 0) + Number(flat[i + 1]));
      }
    }
    return [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([id]) => id);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private dayKey(ms: number): string {
    return `${this.prefix}views:${dayOf(ms)}`;
  }
}
