import type { Clock } from '../../platform/clock.ts';
import type { DatabaseHandle } from '../../platform/database.ts';
import { lockKeyFor, type PeriodicJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import type { EventRuntimeHooks } from './consumer.runner.ts';
import type { EventBus } from './events.bus.ts';
import { findUnpublished, markPublished } from './outbox.repository.ts';

/** Advisory locks are per database, so one key serves every database's relay. */
export const RELAY_LOCK_KEY = lockKeyFor('bazaar.events.relay');

const BATCH_SIZE = 200;
const MAX_BATCHES_PER_RUN = 25;

/**
 * Moves one database's outbox onto the bus: the oldest unpublished rows by `seq`, published
 * in that order, then marked `published_at`. A crash between publishing and marking
 * publishes the rows again on the next run (at-least-once; the bus and `applyOnce` absorb
 * the duplicate) and never skips or reorders them.
 *
 * The gap problem (`seq` is taken at insert, so a transaction can commit a lower `seq`
 * after a higher one was published) is avoided by having no high-water mark at all: every
 * run starts from "published_at is null order by seq", so a late commit is picked up on
 * the next run. Per aggregate, writers serialize on the aggregate's row, so its `seq`
 * order is its commit order.
 */
export class OutboxRelay {
  private stopping = false;
  private unavailableSince: Date | undefined;
  private readonly published;

  constructor(
    private readonly deps: { handle: DatabaseHandle; bus: EventBus; clock: Clock; logger: Logger; metrics: Metrics; hooks: EventRuntimeHooks },
  ) {
    this.published = deps.metrics.counter('bazaar_events_published_total', 'Outbox events published to the bus', ['bus']);
  }

  /** A job per database; on PostgreSQL an advisory lock keeps it to one process at a time. */
  job(intervalMs: number, singleton: boolean): PeriodicJob {
    const { handle } = this.deps;
    return {
      name: `events.relay:${handle.name}`,
      intervalMs,
      run: () => this.run(),
      ...(singleton ? { singleton: { db: handle.db, lockKey: RELAY_LOCK_KEY } } : {}),
    };
  }

  stop(): void {
    this.stopping = true;
  }

  resume(): void {
    this.stopping = false;
  }

  /** Publishes what is pending (bounded per run); returns how many rows were published. */
  async run(): Promise<number> {
    const { handle, bus, clock, hooks } = this.deps;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.stopping; batch++) {
      const events = await findUnpublished(handle.db, BATCH_SIZE);
      if (events.length === 0) break;
      const { published, error } = await bus.publish(handle, events);
      const sent = events.slice(0, published);
      if (sent.length > 0) {
        await hooks.afterPublish?.(sent);
        await markPublished(handle.db, sent.map((e) => e.seq), clock.now());
        this.published.inc({ bus: bus.kind }, sent.length);
        total += sent.length;
      }
      if (error !== undefined) {
        this.reportUnavailable(error);
        break;
      }
      this.reportAvailable();
      if (events.length < BATCH_SIZE) break;
    }
    return total;
  }

  // Once per outage, not once per poll: the outbox simply holds events until the bus is back.
  private reportUnavailable(error: unknown): void {
    if (this.unavailableSince) return;
    this.unavailableSince = this.deps.clock.now();
    this.deps.logger.warn({ err: error, database: this.deps.handle.name, bus: this.deps.bus.kind }, 'event bus unavailable; outbox is holding events');
  }

  private reportAvailable(): void {
    if (!this.unavailableSince) return;
    this.deps.logger.info({ database: this.deps.handle.name, since: this.unavailableSince }, 'event bus available again; outbox draining');
    this.unavailableSince = undefined;
  }
}
