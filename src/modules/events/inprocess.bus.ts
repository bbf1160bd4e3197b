import type { Clock } from '../../platform/clock.ts';
import type { Databases, DatabaseHandle } from '../../platform/database.ts';
import type { PeriodicJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import { claimDeliveries, deleteDelivery, enqueueDeliveries, queueLag, rescheduleDelivery, type ClaimedDelivery, type DeliveryTarget } from './consumers.repository.ts';
import type { ConsumerRunner } from './consumer.runner.ts';
import type { ConsumerRegistry, EventBus, PublishOptions, PublishResult, RegisteredConsumer } from './events.bus.ts';
import type { RelayedEvent } from './outbox.repository.ts';

export interface InProcessBusOptions {
  pollIntervalMs: number;
  ackWaitMs: number;
  batchSize?: number;
}

/**
 * The bus without a server. "Publishing" queues one `event_deliveries` row per
 * subscribed consumer next to the outbox row, so it is as durable as the database;
 * a dispatcher job in each worker claims due rows (a lease of `ackWaitMs`, the ack wait),
 * runs the consumer and deletes the row only after the handler committed. A worker that
 * dies mid-event leaves the lease to expire and the event is delivered again.
 *
 * Fan-out uses the consumers registered in the relay's process: every worker registers
 * the same consumers, and an event published before its consumer existed reaches it only
 * through replay.
 */
export class InProcessBus implements EventBus {
  readonly kind = 'in-process' as const;
  private stopping = false;

  constructor(
    private readonly deps: { databases: Databases; registry: ConsumerRegistry; runner: ConsumerRunner; clock: Clock; logger: Logger },
    private readonly options: InProcessBusOptions,
  ) {}

  async publish(source: DatabaseHandle, events: readonly RelayedEvent[], options: PublishOptions = {}): Promise<PublishResult> {
    const targets: DeliveryTarget[] = [];
    for (const event of events) {
      for (const consumer of this.deps.registry.subscribersOf(event.type)) {
        if (!options.consumer || options.consumer === consumer.name) targets.push({ consumer: consumer.name, event });
      }
    }
    try {
      await enqueueDeliveries(source.db, targets, this.deps.clock.now());
      return { published: events.length };
    } catch (error) {
      return { published: 0, error };
    }
  }

  jobs(): PeriodicJob[] {
    return this.deps.databases.handles.map((handle) => ({
      name: `events.dispatch:${handle.name}`,
      intervalMs: this.options.pollIntervalMs,
      run: () => this.dispatch(handle),
    }));
  }

  async start(): Promise<void> {
    this.stopping = false;
  }

  async stop(): Promise<void> {
    this.stopping = true;
  }

  /** Delivers every due event of one database, head of each aggregate first; returns how many were handled. */
  async dispatch(handle: DatabaseHandle): Promise<number> {
    let handled = 0;
    for (;;) {
      if (this.stopping) return handled;
      const names = this.deps.registry.all().map((c) => c.name);
      const now = this.deps.clock.now();
      const claimed = await claimDeliveries(handle.db, names, now, new Date(now.getTime() + this.options.ackWaitMs), this.options.batchSize ?? 50);
      if (claimed.length === 0) return handled;
      for (const delivery of claimed) {
        await this.deliver(handle, delivery);
        handled++;
      }
    }
  }

  private async deliver(handle: DatabaseHandle, delivery: ClaimedDelivery): Promise<void> {
    const consumer = this.deps.registry.get(delivery.consumer);
    if (!consumer) return;
    const outcome = await this.deps.runner.run(consumer, delivery.event, delivery.attempts);
    const claim = { consumer: consumer.name, eventId: delivery.event.id, attempts: delivery.attempts };
    switch (outcome.kind) {
      case 'ack':
      case 'dead':
        await deleteDelivery(handle.db, consumer.name, delivery.event.id);
        return;
      case 'retry':
        await rescheduleDelivery(handle.db, claim, new Date(this.deps.clock.now().getTime() + outcome.delayMs), outcome.error);
        return;
      case 'crashed':
        // Like a dead process: neither ack nor retry; the lease runs out and the event comes back.
        return;
    }
  }

  async lag(consumers: readonly RegisteredConsumer[]): Promise<Map<string, { pending: number; oldest?: Date }>> {
    const result = new Map<string, { pending: number; oldest?: Date }>();
    const names = consumers.map((c) => c.name);
    for (const handle of this.deps.databases.handles) {
      for (const row of await queueLag(handle.db, names)) {
        const current = result.get(row.consumer);
        const oldest = current?.oldest && current.oldest < row.oldest ? current.oldest : row.oldest;
        result.set(row.consumer, { pending: (current?.pending ?? 0) + row.pending, oldest });
      }
    }
    return result;
  }

  async close(): Promise<void> {
    this.stopping = true;
  }
}
