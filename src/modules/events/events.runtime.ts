import type { Clock } from '../../platform/clock.ts';
import type { Config } from '../../platform/config.ts';
import type { Databases } from '../../platform/database.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { JobRunner, type PeriodicJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { applyOnce } from './consumers.repository.ts';
import { ConsumerRunner, type EventRuntimeHooks } from './consumer.runner.ts';
import { ConsumerRegistry, type ConsumerDefinition, type EventBus, type EventOf } from './events.bus.ts';
import { OutboxRelay } from './events.relay.ts';
import type { EventType } from './events.types.ts';
import { InProcessBus } from './inprocess.bus.ts';
import { JetStreamBus } from './jetstream.bus.ts';
import { countUnpublishedByType, findPublishedSince } from './outbox.repository.ts';

export type EventsConfig = Pick<
  Config,
  'natsUrl' | 'natsStreamPrefix' | 'natsStreamReplicas' | 'eventsPollIntervalMs' | 'eventsAckWaitMs' | 'eventsMaxDeliver' | 'eventsRetryBaseMs' | 'eventsPartitions'
>;

export interface EventRuntimeDeps {
  config: EventsConfig;
  databases: Databases;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Test seams; see EventRuntimeHooks. */
  hooks?: EventRuntimeHooks;
}

export interface ConsumerLag {
  consumer: string;
  /** Events of the consumer's types not yet handled: still in the outbox plus waiting on the bus. */
  pending: number;
  /** Age of the oldest of those, by when it occurred; 0 when nothing is pending. */
  oldestAgeSeconds: number;
  /** Of `pending`, those the relay has not published yet. */
  unpublished: number;
  /** Of `pending`, those on the bus; null when the bus could not be asked (it is down). */
  onBus: number | null;
}

export interface ReplayOptions {
  /** Re-deliver events that occurred at or after this time. */
  since: Date;
  /** Only to this consumer; default every registered consumer of each event's type. */
  consumer?: string;
}

export interface ReplayResult {
  /** Published events re-delivered (an event counts once however many consumers get it). */
  events: number;
}

/**
 * The event machinery of one process: consumer registry, bus (JetStream when NATS_URL is
 * set, otherwise in-process over the database), one outbox relay per database, and lag
 * metrics. Creating it is cheap and connects to nothing; `start()` (the worker role)
 * begins relaying and delivering; API-only processes just append to the outbox.
 */
export interface EventRuntime {
  readonly bus: EventBus['kind'];
  /** Adds a consumer; call before `start()` (later works too). Throws invalid_consumer_name / duplicate_consumer. */
  registerConsumer<T extends EventType>(consumer: ConsumerDefinition<T>): void;
  consumers(): string[];
  /** Relay per database, in-process dispatcher per database; `start()` schedules them. */
  readonly jobs: PeriodicJob[];
  start(): Promise<void>;
  /** Stops scheduling and delivering; waits for work in progress. */
  stop(): Promise<void>;
  lag(): Promise<ConsumerLag[]>;
  /** See `replayEvents`. */
  replay(options: ReplayOptions): Promise<ReplayResult>;
  /** Stops and releases connections (NATS). */
  close(): Promise<void>;
}

/** Scrapes this close together (two gauges of one scrape, several scrapers) share one reading. */
const LAG_REUSE_MS = 1000;
const REPLAY_PAGE = 500;

export function createEventRuntime(deps: EventRuntimeDeps): EventRuntime {
  return new EventRuntimeImpl(deps);
}

/**
 * Re-delivers published events that occurred since `since`, to one consumer or to all
 * that subscribe to them (`bazaar events replay --since <time> [--consumer <name>]`).
 * Consumers skip events they already applied, so replaying is safe; events a consumer
 * never applied (dead letters, or a consumer added later) are applied now.
 * Throws invalid_since, unknown_consumer.
 */
export function replayEvents(runtime: EventRuntime, options: ReplayOptions): Promise<ReplayResult> {
  return runtime.replay(options);
}

class EventRuntimeImpl implements EventRuntime {
  readonly bus;
  readonly jobs: PeriodicJob[];
  private readonly eventBus: EventBus;
  private readonly registry = new ConsumerRegistry();
  private readonly relays: OutboxRelay[];
  private runner: JobRunner | undefined;
  private lastLag: { at: number; reading: Promise<ConsumerLag[] | undefined> } | undefined;

  constructor(private readonly deps: EventRuntimeDeps) {
    const { config, databases, logger, metrics, clock } = deps;
    const hooks = deps.hooks ?? {};
    const runner = new ConsumerRunner(
      { mainDb: databases.main, clock, logger, metrics, hooks },
      { maxDeliver: config.eventsMaxDeliver, retryBaseMs: config.eventsRetryBaseMs },
    );
    this.eventBus = config.natsUrl
      ? new JetStreamBus(
          { registry: this.registry, runner, logger },
          { url: config.natsUrl, prefix: config.natsStreamPrefix, partitions: config.eventsPartitions, ackWaitMs: config.eventsAckWaitMs, replicas: config.natsStreamReplicas },
        )
      : new InProcessBus({ databases, registry: this.registry, runner, clock, logger }, { pollIntervalMs: config.eventsPollIntervalMs, ackWaitMs: config.eventsAckWaitMs });
    this.bus = this.eventBus.kind;
    this.relays = databases.handles.map((handle) => new OutboxRelay({ handle, bus: this.eventBus, clock, logger, metrics, hooks }));
    this.jobs = [
      ...this.relays.map((relay) => relay.job(config.eventsPollIntervalMs, databases.kind === 'postgres')),
      ...this.eventBus.jobs(),
    ];
    // Computed at scrape time from the outbox and the bus (delivery queue or JetStream consumer info), not
    // from this process's own work: an API process that never consumes reports the same lag as a worker.
    metrics.gaugeCollected('bazaar_events_consumer_pending', 'Events a consumer has not handled yet (outbox + bus), read at scrape time', ['consumer'], async (gauge) => {
      for (const lag of (await this.lagForScrape()) ?? []) gauge.set({ consumer: lag.consumer }, lag.pending);
    });
    metrics.gaugeCollected('bazaar_events_consumer_oldest_age_seconds', 'Age of the oldest event a consumer has not handled, read at scrape time', ['consumer'], async (gauge) => {
      for (const lag of (await this.lagForScrape()) ?? []) gauge.set({ consumer: lag.consumer }, lag.oldestAgeSeconds);
    });
  }

  /**
   * One lag reading shared by the gauges of a scrape (and by scrapes less than a second apart).
   * A database that cannot be read leaves the gauges at their last values (logged), so /metrics still answers.
   */
  private lagForScrape(): Promise<ConsumerLag[] | undefined> {
    const now = Date.now();
    if (this.lastLag && now - this.lastLag.at < LAG_REUSE_MS) return this.lastLag.reading;
    return this.readLag().catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'could not read consumer lag');
      return undefined;
    });
  }

  registerConsumer<T extends EventType>(consumer: ConsumerDefinition<T>): void {
    const types = new Set<string>(consumer.types);
    // Handlers are called as methods of their definition, so a consumer object may use `this`.
    if (consumer.db) {
      const transactional = consumer;
      const { db, name } = transactional;
      this.registry.add({ name, types, apply: (event) => applyOnce(db, name, event.id, (trx) => transactional.handle(event as EventOf<T>, trx)) });
    } else {
      const plain = consumer;
      this.registry.add({
        name: plain.name,
        types,
        apply: async (event) => {
          await plain.handle(event as EventOf<T>);
          return true;
        },
      });
    }
  }

  consumers(): string[] {
    return this.registry.all().map((c) => c.name);
  }

  async start(): Promise<void> {
    if (this.runner) return;
    for (const relay of this.relays) relay.resume();
    await this.eventBus.start();
    const runner = new JobRunner(this.deps.logger);
    for (const job of this.jobs) runner.start(job);
    this.runner = runner;
  }

  async stop(): Promise<void> {
    for (const relay of this.relays) relay.stop();
    const runner = this.runner;
    this.runner = undefined;
    await Promise.all([runner?.stop(), this.eventBus.stop()]);
  }

  async close(): Promise<void> {
    await this.stop();
    await this.eventBus.close();
  }

  /** A fresh reading, which the next scrape within a second reuses: the gauges never lag behind `lag()`. */
  lag(): Promise<ConsumerLag[]> {
    return this.readLag();
  }

  private readLag(): Promise<ConsumerLag[]> {
    const reading = this.computeLag();
    this.lastLag = { at: Date.now(), reading: reading.catch(() => undefined) };
    return reading;
  }

  private async computeLag(): Promise<ConsumerLag[]> {
    const consumers = this.registry.all();
    const now = this.deps.clock.now().getTime();
    const unpublished = (await Promise.all(this.deps.databases.handles.map((h) => countUnpublishedByType(h.db)))).flat();
    let onBus: Map<string, { pending: number; oldest?: Date }> | null;
    try {
      onBus = await this.eventBus.lag(consumers);
    } catch (error) {
      this.deps.logger.warn({ err: error, bus: this.bus }, 'could not read consumer lag from the bus');
      onBus = null;
    }
    return consumers.map((consumer) => {
      const outbox = unpublished.filter((u) => consumer.types.has(u.type));
      const held = outbox.reduce((sum, u) => sum + u.count, 0);
      const bus = onBus?.get(consumer.name);
      const times = [...outbox.map((u) => u.oldest.getTime()), ...(bus?.oldest ? [bus.oldest.getTime()] : [])];
      const pending = held + (bus?.pending ?? 0);
      const oldestAgeSeconds = pending > 0 && times.length > 0 ? Math.max(0, (now - Math.min(...times)) / 1000) : 0;
      return { consumer: consumer.name, pending, oldestAgeSeconds, unpublished: held, onBus: onBus ? (bus?.pending ?? 0) : null };
    });
  }

  async replay(options: ReplayOptions): Promise<ReplayResult> {
    if (!(options.since instanceof Date) || Number.isNaN(options.since.getTime())) {
      throw invalid('invalid_since', 'since must be a valid time');
    }
    const targets = options.consumer ? [this.registry.get(options.consumer)].filter((c) => c !== undefined) : this.registry.all();
    if (options.consumer && targets.length === 0) {
      throw invalid('unknown_consumer', `No consumer named "${options.consumer}"; known: ${this.consumers().join(', ') || 'none'}`);
    }
    const types = [...new Set(targets.flatMap((c) => [...c.types]))];
    const replayId = newId();
    let count = 0;
    for (const handle of this.deps.databases.handles) {
      let afterSeq = 0;
      for (;;) {
        const events = await findPublishedSince(handle.db, options.since, types, afterSeq, REPLAY_PAGE);
        if (events.length === 0) break;
        const { published, error } = await this.eventBus.publish(handle, events, { replayId, ...(options.consumer ? { consumer: options.consumer } : {}) });
        count += published;
        if (error !== undefined) {
          throw new AppError('event_bus_unavailable', 'unavailable', `Replay stopped after ${count} events: the event bus is unavailable`, {
            cause: error instanceof Error ? error.message : String(error),
          });
        }
        afterSeq = events[events.length - 1]!.seq;
      }
    }
    this.deps.logger.info({ since: options.since, consumer: options.consumer, events: count }, 'events replayed');
    return { events: count };
  }
}
