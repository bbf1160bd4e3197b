import type { Kysely, Transaction } from 'kysely';
import type { DatabaseHandle } from '../../platform/database.ts';
import type { PeriodicJob } from '../../platform/jobs.ts';
import { invalid } from '../../platform/errors.ts';
import type { EventType, OutboxEvent } from './events.types.ts';
import type { RelayedEvent } from './outbox.repository.ts';

/** One of the events a consumer subscribed to, discriminated by `type`. */
export type EventOf<T extends EventType> = T extends EventType ? OutboxEvent<T> : never;

interface ConsumerBase<T extends EventType> {
  /**
   * Stable identity of the consumer: its processed-event records, queue and JetStream
   * durables hang off it, so renaming a consumer makes it start over.
   * Letters, digits, `-`, `_` and `.`.
   */
  name: string;
  types: readonly T[];
}

/**
 * A consumer that keeps its effects in a database: `handle` runs inside `applyOnce` on
 * `db`, with the transaction that also records the event id, so a redelivered event is
 * skipped without calling `handle`. Write to `db` only through `trx`: opening another
 * transaction on the same database inside `handle` would not be atomic with the record,
 * and on PGlite (one connection) it waits forever.
 */
export interface TransactionalConsumer<T extends EventType = EventType> extends ConsumerBase<T> {
  db: Kysely<any>;
  handle(event: EventOf<T>, trx: Transaction<any>): Promise<void>;
}

/** A consumer whose effect is idempotent by itself (or which calls `applyOnce` on its own). */
export interface PlainConsumer<T extends EventType = EventType> extends ConsumerBase<T> {
  db?: undefined;
  handle(event: EventOf<T>): Promise<void>;
}

export type ConsumerDefinition<T extends EventType = EventType> = TransactionalConsumer<T> | PlainConsumer<T>;

/** A registered consumer as the buses see it. */
export interface RegisteredConsumer {
  name: string;
  types: ReadonlySet<string>;
  /** Runs the handler; resolves to whether the effect was applied (false: a duplicate). */
  apply(event: OutboxEvent): Promise<boolean>;
}

export interface PublishOptions {
  /** Re-delivery for one consumer only (replay); others ignore it. */
  consumer?: string;
  /** Distinguishes a replay from the original publish, which the bus would otherwise de-duplicate. */
  replayId?: string;
}

export interface PublishResult {
  /** How many of the given events, from the first, the bus accepted. */
  published: number;
  /** Why the rest were not accepted. */
  error?: unknown;
}

/**
 * Transport between the outbox relay and consumers. Publishing is at-least-once and in
 * the given order; delivery to a consumer is in order per aggregate; a consumer's event
 * counts as handled only when its handler committed (ack after commit).
 */
export interface EventBus {
  readonly kind: 'in-process' | 'jetstream';
  publish(source: DatabaseHandle, events: readonly RelayedEvent[], options?: PublishOptions): Promise<PublishResult>;
  /** Periodic work the bus needs in a worker (the in-process dispatcher). */
  jobs(): PeriodicJob[];
  /** Begins delivering to the registered consumers (and to any registered later). */
  start(): Promise<void>;
  /** Stops delivering; waits for handlers in progress. */
  stop(): Promise<void>;
  /** Per consumer: events on the bus not yet handled, and the oldest one's time. Throws if the bus is unreachable. */
  lag(consumers: readonly RegisteredConsumer[]): Promise<Map<string, { pending: number; oldest?: Date }>>;
  close(): Promise<void>;
}

const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The consumers of this process. Registration is cheap; nothing runs until the runtime starts. */
export class ConsumerRegistry {
  private readonly consumers = new Map<string, RegisteredConsumer>();
  private readonly listeners: ((consumer: RegisteredConsumer) => void)[] = [];

  add(consumer: RegisteredConsumer): void {
    if (!CONSUMER_NAME.test(consumer.name)) throw invalid('invalid_consumer_name', `Consumer name "${consumer.name}" must be letters, digits, -, _ or .`);
    const token = durableToken(consumer.name);
    for (const existing of this.consumers.values()) {
      if (existing.name === consumer.name || durableToken(existing.name) === token) {
        throw invalid('duplicate_consumer', `A consumer named "${existing.name}" is already registered`);
      }
    }
    if (consumer.types.size === 0) throw invalid('invalid_consumer', `Consumer "${consumer.name}" subscribes to no event type`);
    this.consumers.set(consumer.name, consumer);
    for (const listener of this.listeners) listener(consumer);
  }

  get(name: string): RegisteredConsumer | undefined {
    return this.consumers.get(name);
  }

  all(): RegisteredConsumer[] {
    return [...this.consumers.values()];
  }

  subscribersOf(type: string): RegisteredConsumer[] {
    return this.all().filter((c) => c.types.has(type));
  }

  onAdd(listener: (consumer: RegisteredConsumer) => void): void {
    this.listeners.push(listener);
  }
}

/** A consumer name as it may appear in a JetStream durable name (no dots). */
export function durableToken(name: string): string {
  return name.replaceAll('.', '_');
}

/** Stable partition of an aggregate (FNV-1a), so all its events travel one ordered lane. */
export function partitionOf(aggregateId: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < aggregateId.length; i++) {
    hash ^= aggregateId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
