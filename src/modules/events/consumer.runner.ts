import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Metrics } from '../../platform/metrics.ts';
import { SpanKind, traceContextFrom, withSpan } from '../../platform/tracing.ts';
import type { RegisteredConsumer } from './events.bus.ts';
import type { OutboxEvent } from './events.types.ts';
import type { RelayedEvent } from './outbox.repository.ts';
import { recordDeadLetter } from './consumers.repository.ts';

/** Test seams: a hook that throws simulates the process dying at that point. */
export interface EventRuntimeHooks {
  /** After the bus accepted a batch, before the relay marks it published. */
  afterPublish?(events: readonly RelayedEvent[]): void | Promise<void>;
  /** After a consumer's handler committed (or skipped a duplicate), before the ack. */
  afterHandle?(consumer: string, event: OutboxEvent, result: { applied: boolean }): void | Promise<void>;
}

/** What the bus does with a delivery once the consumer ran. */
export type HandleOutcome =
  | { kind: 'ack'; applied: boolean }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'dead'; error: string }
  | { kind: 'crashed' };

export interface RunnerOptions {
  maxDeliver: number;
  retryBaseMs: number;
}

const MAX_BACKOFF_MS = 10 * 60_000;

/** Delay before attempt `attempt + 1`: exponential from `baseMs`, capped at ten minutes. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

/**
 * Runs one delivery of one event to one consumer and decides its fate, the same way on
 * every bus: success → ack; failure → retry with backoff until `maxDeliver` attempts,
 * then a dead letter (in the main database) and ack.
 */
export class ConsumerRunner {
  private readonly handled;

  constructor(
    private readonly deps: { mainDb: Kysely<any>; clock: Clock; logger: Logger; metrics: Metrics; hooks: EventRuntimeHooks },
    private readonly options: RunnerOptions,
  ) {
    this.handled = deps.metrics.counter('bazaar_events_handled_total', 'Event deliveries by consumer and outcome', ['consumer', 'outcome']);
  }

  /** Handles one delivery; with tracing on, in a `consume` span that continues the trace the event carries. */
  run(consumer: RegisteredConsumer, event: OutboxEvent, attempt: number): Promise<HandleOutcome> {
    const parent = traceContextFrom(event.traceContext);
    return withSpan(
      `consume ${event.type}`,
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.consumer.group.name': consumer.name, 'messaging.message.id': event.id, 'bazaar.attempt': attempt }, ...(parent ? { parent } : {}) },
      async (span) => {
        const outcome = await this.handle(consumer, event, attempt);
        span?.setAttribute('bazaar.outcome', outcome.kind);
        return outcome;
      },
    );
  }

  private async handle(consumer: RegisteredConsumer, event: OutboxEvent, attempt: number): Promise<HandleOutcome> {
    let applied: boolean;
    try {
      applied = await consumer.apply(event);
    } catch (error) {
      return this.failed(consumer, event, attempt, error);
    }
    this.handled.inc({ consumer: consumer.name, outcome: applied ? 'applied' : 'duplicate' });
    try {
      await this.deps.hooks.afterHandle?.(consumer.name, event, { applied });
    } catch (error) {
      this.deps.logger.warn({ err: error, consumer: consumer.name, eventId: event.id }, 'consumer stopped before acknowledging');
      return { kind: 'crashed' };
    }
    return { kind: 'ack', applied };
  }

  private async failed(consumer: RegisteredConsumer, event: OutboxEvent, attempt: number, error: unknown): Promise<HandleOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    const log = { err: error, consumer: consumer.name, eventId: event.id, type: event.type, attempt };
    if (attempt < this.options.maxDeliver) {
      this.handled.inc({ consumer: consumer.name, outcome: 'failed' });
      const delayMs = backoffMs(attempt, this.options.retryBaseMs);
      this.deps.logger.warn({ ...log, retryInMs: delayMs }, 'event consumer failed; will retry');
      return { kind: 'retry', delayMs, error: message };
    }
    try {
      await recordDeadLetter(this.deps.mainDb, {
        consumer: consumer.name,
        eventId: event.id,
        type: event.type,
        aggregateType: event.aggregateType,
        aggregateId: event.aggregateId,
        payload: event.payload,
        occurredAt: event.occurredAt,
        attempts: attempt,
        lastError: message,
        deadAt: this.deps.clock.now(),
      });
    } catch (recordError) {
      this.deps.logger.error({ ...log, err: recordError }, 'could not record dead letter; will retry');
      return { kind: 'retry', delayMs: backoffMs(attempt, this.options.retryBaseMs), error: message };
    }
    this.handled.inc({ consumer: consumer.name, outcome: 'dead_lettered' });
    this.deps.logger.error(log, 'event dead-lettered after its last attempt');
    return { kind: 'dead', error: message };
  }
}
