import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import * as repo from './analytics.repository.ts';
import type { AnalyticsTables } from './analytics.tables.ts';

export interface AnalyticsOptions {
  /** How often buffered views are written (one statement per flush). */
  flushIntervalMs: number;
  /** A flush is forced when this many visits are buffered. */
  maxBufferedVisits?: number;
}

const DEFAULT_MAX_BUFFERED = 5_000;

/**
 * Storefront visits with product views: the denominator of conversion ("sessions with a
 * product view → orders") and of cart abandonment. Views are counted in memory and written in
 * batches, so recording one costs no database round trip; a crash loses at most one flush
 * interval of views, which is acceptable for a business ratio.
 */
export class AnalyticsService {
  private buffer = new Map<string, repo.VisitDelta>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly views;
  private readonly visits;
  private readonly seenVisits = new Set<string>();

  constructor(
    private readonly db: Kysely<AnalyticsTables>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly options: AnalyticsOptions,
  ) {
    this.views = metrics.counter('bazaar_storefront_product_views_total', 'Product pages viewed in browsers (counted after load)');
    this.visits = metrics.counter('bazaar_storefront_visits_with_product_view_total', 'Storefront visits that viewed at least one product (first view seen by this process)');
  }

  /** Counts one product view in a visit (ids are opaque UUIDs chosen by the web layer). */
  recordProductView(visitId: string, productId: string, accountId: string | null): void {
    const now = this.clock.now();
    this.views.inc();
    const current = this.buffer.get(visitId);
    if (current) {
      current.views += 1;
      current.lastSeenAt = now;
      current.accountId ??= accountId;
    } else {
      this.buffer.set(visitId, { visitId, accountId, firstProductId: productId, views: 1, firstSeenAt: now, lastSeenAt: now });
    }
    if (!this.seenVisits.has(visitId)) {
      this.seenVisits.add(visitId);
      this.visits.inc();
      if (this.seenVisits.size > 100_000) this.seenVisits.clear();
    }
    this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs).unref();
    if (this.buffer.size >= (this.options.maxBufferedVisits ?? DEFAULT_MAX_BUFFERED)) void this.flush();
  }

  /** Writes buffered views now; called on a timer and at shutdown. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.buffer.size === 0) return;
    const batch = [...this.buffer.values()];
    this.buffer = new Map();
    this.flushing = repo.upsertVisits(this.db, batch).catch((error: unknown) => {
      this.logger.warn({ err: error, visits: batch.length }, 'could not record storefront visits; dropped');
    });
    await this.flushing;
    this.flushing = undefined;
  }

  /** Visits that started in [from, to) with at least one product view, and their views. */
  async countVisitsWithProductView(range: { from: Date; to: Date }): Promise<{ visits: number; views: number }> {
    return repo.countVisits(this.db, range.from, range.to);
  }

  /** Accounts that viewed products in visits started in [from, to): to attribute orders to visits. */
  async accountsWithProductView(range: { from: Date; to: Date }): Promise<string[]> {
    return repo.accountsWithVisits(this.db, range.from, range.to);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
