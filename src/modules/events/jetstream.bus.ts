import {
  AckPolicy,
  connect,
  DeliverPolicy,
  headers as natsHeaders,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import type { DatabaseHandle } from '../../platform/database.ts';
import type { PeriodicJob } from '../../platform/jobs.ts';
import type { Logger } from '../../platform/logger.ts';
import { currentTraceContext, SpanKind, traceContextFrom, withSpan } from '../../platform/tracing.ts';
import type { ConsumerRunner } from './consumer.runner.ts';
import { durableToken, partitionOf, type ConsumerRegistry, type EventBus, type PublishOptions, type PublishResult, type RegisteredConsumer } from './events.bus.ts';
import type { AggregateType, EventType, OutboxEvent } from './events.types.ts';
import type { RelayedEvent } from './outbox.repository.ts';

export interface JetStreamBusOptions {
  url: string;
  /** Prefix of the stream, subjects and durables (NATS_STREAM_PREFIX). */
  prefix: string;
  partitions: number;
  ackWaitMs: number;
  /** Replicas of the stream when this bus creates it (NATS_STREAM_REPLICAS; 3 on a 3-node cluster). */
  replicas?: number;
  connectTimeoutMs?: number;
  publishTimeoutMs?: number;
}

interface Connection {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  durables: Set<string>;
}

interface WireEvent {
  id: string;
  type: string;
  version: number;
  aggregate_type: string;
  aggregate_id: string;
  payload: unknown;
  occurred_at: string;
  /** Set on a replay addressed to one consumer; the others acknowledge and skip it. */
  replay_for?: string;
}

const STREAM_MAX_AGE_MS = 7 * 24 * 3600_000;
const DUPLICATE_WINDOW_MS = 5 * 60_000;
const STREAM_EXISTS_WITH_OTHER_CONFIG = 10058;
const RECONNECT_THROTTLE_MS = 1000;

/**
 * The bus on NATS JetStream. One stream `<prefix>_EVENTS` holds subjects
 * `<prefix>.events.p<partition>.<type>`; an aggregate always maps to the same partition.
 * Each consumer has one durable pull consumer per partition with explicit ack and
 * `max_ack_pending` 1, so an aggregate's events reach it one at a time and in order
 * (a failing event holds back only its partition). A missing ack is redelivered after
 * `ackWaitMs`; a failure is nak'ed with backoff. Publishing sets `msgID` to the event id,
 * so the relay's re-publish after a crash is dropped by the stream's duplicate window.
 *
 * Changing the partition count moves aggregates to other lanes; drain the consumers first.
 *
 * A durable filters on its whole partition (NATS 2.9 has one filter subject per consumer)
 * and acknowledges event types it does not handle, so JetStream's pending figure, used
 * for lag, also counts those.
 */
export class JetStreamBus implements EventBus {
  readonly kind = 'jetstream' as const;
  readonly stream: string;
  private connecting: Promise<Connection> | undefined;
  private lastFailure: { at: number; error: unknown } | undefined;
  private down = false;
  private running = false;
  private closed = false;
  private readonly loops = new Map<string, Promise<void>>();
  private readonly iterators = new Set<ConsumerMessages>();
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly deps: { registry: ConsumerRegistry; runner: ConsumerRunner; logger: Logger },
    private readonly options: JetStreamBusOptions,
  ) {
    this.stream = `${options.prefix}_EVENTS`;
    deps.registry.onAdd((consumer) => {
      if (this.running) this.spawn(consumer);
    });
  }

  subject(event: Pick<OutboxEvent, 'aggregateId' | 'type'>): string {
    return `${this.options.prefix}.events.p${partitionOf(event.aggregateId, this.options.partitions)}.${event.type}`;
  }

  durableName(consumer: string, partition: number): string {
    return `${this.options.prefix}_${durableToken(consumer)}_p${partition}`;
  }

  async publish(_source: DatabaseHandle, events: readonly RelayedEvent[], options: PublishOptions = {}): Promise<PublishResult> {
    let connection: Connection;
    try {
      connection = await this.connection();
    } catch (error) {
      return { published: 0, error };
    }
    let published = 0;
    // One at a time: a failed publish must not be overtaken by a later event of the same aggregate.
    for (const event of events) {
      try {
        await this.publishOne(connection, event, options);
        published++;
      } catch (error) {
        return { published, error };
      }
    }
    return { published };
  }

  /** One message; with tracing on, in a `publish` span whose context travels as the message's trace headers. */
  private publishOne(connection: Connection, event: RelayedEvent, options: PublishOptions): Promise<unknown> {
    const parent = traceContextFrom(event.traceContext);
    return withSpan(`publish ${event.type}`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'nats', 'messaging.message.id': event.id }, ...(parent ? { parent } : {}) }, () => {
      const trace = currentTraceContext();
      const headers = trace ? natsHeaders() : undefined;
      for (const [key, value] of Object.entries(trace ?? {})) headers!.set(key, value);
      return connection.js.publish(this.subject(event), encode(event, options.consumer), {
        msgID: options.replayId ? `${event.id}:replay:${options.replayId}` : event.id,
        expect: { streamName: this.stream },
        timeout: this.options.publishTimeoutMs ?? 5000,
        ...(headers ? { headers } : {}),
      });
    });
  }

  jobs(): PeriodicJob[] {
    return [];
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    this.running = true;
    for (const consumer of this.deps.registry.all()) this.spawn(consumer);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const messages of this.iterators) messages.stop();
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops.values());
  }

  async lag(consumers: readonly RegisteredConsumer[]): Promise<Map<string, { pending: number; oldest?: Date }>> {
    const connection = await this.connection();
    const result = new Map<string, { pending: number; oldest?: Date }>();
    for (const consumer of consumers) {
      let pending = 0;
      let oldest: Date | undefined;
      for (let partition = 0; partition < this.options.partitions; partition++) {
        const name = await this.ensureDurable(connection, consumer, partition);
        const info = await connection.jsm.consumers.info(this.stream, name);
        const waiting = info.num_pending + info.num_ack_pending;
        pending += waiting;
        if (waiting === 0) continue;
        const next = await directApi(connection.jsm).getMessage(this.stream, {
          seq: info.ack_floor.stream_seq + 1,
          next_by_subj: this.partitionFilter(partition),
        });
        const occurredAt = decode(next.data).occurredAt;
        if (!oldest || occurredAt < oldest) oldest = occurredAt;
      }
      result.set(consumer.name, oldest ? { pending, oldest } : { pending });
    }
    return result;
  }

  async close(): Promise<void> {
    await this.stop();
    this.closed = true;
    const connection = await this.connecting?.catch(() => undefined);
    this.connecting = undefined;
    if (connection && !connection.nc.isClosed()) await connection.nc.close();
  }

  private partitionFilter(partition: number): string {
    return `${this.options.prefix}.events.p${partition}.>`;
  }

  private connection(): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('event bus is closed'));
    // Every partition loop and the relay ask for the connection; while NATS is down, one attempt a second is enough.
    if (!this.connecting && this.lastFailure && Date.now() - this.lastFailure.at < RECONNECT_THROTTLE_MS) {
      return Promise.reject(this.lastFailure.error);
    }
    if (!this.connecting) {
      const attempt = this.open();
      this.connecting = attempt;
      attempt.then(
        (connection) =>
          void connection.nc.closed().then(() => {
            if (this.connecting === attempt) this.connecting = undefined;
          }),
        (error: unknown) => {
          this.lastFailure = { at: Date.now(), error };
          if (this.connecting === attempt) this.connecting = undefined;
        },
      );
    }
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    const nc = await connect({
      // Every node of a cluster, so the client reconnects to a survivor when its node goes down.
      servers: this.options.url.split(','),
      name: `bazaar-events-${this.options.prefix}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: this.options.connectTimeoutMs ?? 3000,
    });
    try {
      const jsm = await nc.jetstreamManager();
      await this.ensureStream(jsm);
      return { nc, js: nc.jetstream(), jsm, durables: new Set() };
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.streams.add({
        name: this.stream,
        subjects: [`${this.options.prefix}.events.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_age: nanos(STREAM_MAX_AGE_MS),
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        allow_direct: true,
        num_replicas: this.options.replicas ?? 1,
      });
    } catch (error) {
      // Someone created it with other limits: theirs stand; subjects are what matter, and they match by name.
      if ((error as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_EXISTS_WITH_OTHER_CONFIG) throw error;
    }
  }

  private async ensureDurable(connection: Connection, consumer: RegisteredConsumer, partition: number): Promise<string> {
    const name = this.durableName(consumer.name, partition);
    if (connection.durables.has(name)) return name;
    // Adding with the same name creates or updates the durable (e.g. a changed ack wait).
    await connection.jsm.consumers.add(this.stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.options.ackWaitMs),
      max_ack_pending: 1,
      max_deliver: -1,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.partitionFilter(partition),
    });
    connection.durables.add(name);
    return name;
  }

  private spawn(consumer: RegisteredConsumer): void {
    for (let partition = 0; partition < this.options.partitions; partition++) {
      const key = this.durableName(consumer.name, partition);
      if (this.loops.has(key)) continue;
      const loop = this.consumeLoop(consumer, partition).finally(() => this.loops.delete(key));
      this.loops.set(key, loop);
    }
  }

  /** Pulls one partition for one consumer until stopped, reconnecting after failures. */
  private async consumeLoop(consumer: RegisteredConsumer, partition: number): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        const connection = await this.connection();
        const name = await this.ensureDurable(connection, consumer, partition);
        const messages = await (await connection.js.consumers.get(this.stream, name)).consume({ max_messages: 16 });
        this.iterators.add(messages);
        if (!this.running) messages.stop();
        try {
          failures = 0;
          this.reportUp();
          for await (const msg of messages) {
            await this.handle(consumer, msg);
            if (!this.running) break;
          }
        } finally {
          this.iterators.delete(messages);
          messages.stop();
        }
      } catch (error) {
        failures++;
        this.reportDown(error, consumer.name, partition);
      }
      if (this.running) await this.sleep(Math.min(250 * 2 ** failures, 5000));
    }
  }

  // Once per outage for the whole bus, not once per partition loop and retry.
  private reportDown(error: unknown, consumer: string, partition: number): void {
    if (this.down || !this.running) return;
    this.down = true;
    this.deps.logger.warn({ err: error, consumer, partition, stream: this.stream }, 'event consumers cannot reach JetStream; retrying');
  }

  private reportUp(): void {
    if (!this.down) return;
    this.down = false;
    this.deps.logger.info({ stream: this.stream }, 'event consumers reconnected to JetStream');
  }

  private async handle(consumer: RegisteredConsumer, msg: JsMsg): Promise<void> {
    let event: OutboxEvent;
    let replayFor: string | undefined;
    try {
      ({ event, replayFor } = decodeWithTarget(msg.data));
      const traceparent = msg.headers?.get('traceparent');
      if (traceparent) {
        const tracestate = msg.headers?.get('tracestate');
        event = { ...event, traceContext: { traceparent, ...(tracestate ? { tracestate } : {}) } };
      }
    } catch (error) {
      this.deps.logger.error({ err: error, consumer: consumer.name, seq: msg.seq }, 'undecodable event on the bus; dropped');
      msg.term();
      return;
    }
    if (!consumer.types.has(event.type) || (replayFor !== undefined && replayFor !== consumer.name)) {
      msg.ack();
      return;
    }
    const outcome = await this.deps.runner.run(consumer, event, msg.info.deliveryCount);
    switch (outcome.kind) {
      case 'ack':
        msg.ack();
        return;
      case 'dead':
        msg.term();
        return;
      case 'retry':
        msg.nak(outcome.delayMs);
        return;
      case 'crashed':
        // Like a dead process: no ack, no nak; JetStream redelivers after the ack wait.
        return;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

/** The client's manager has direct get (stream `allow_direct`), but its type does not declare it. */
function directApi(jsm: JetStreamManager): { getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<{ data: Uint8Array }> } {
  return (jsm as unknown as { direct: ReturnType<typeof directApi> }).direct;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function encode(event: OutboxEvent, replayFor: string | undefined): Uint8Array {
  const wire: WireEvent = {
    id: event.id,
    type: event.type,
    version: event.version,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    payload: event.payload,
    occurred_at: event.occurredAt.toISOString(),
    ...(replayFor ? { replay_for: replayFor } : {}),
  };
  return encoder.encode(JSON.stringify(wire));
}

function decodeWithTarget(data: Uint8Array): { event: OutboxEvent; replayFor?: string } {
  const wire = JSON.parse(decoder.decode(data)) as WireEvent;
  if (typeof wire.id !== 'string' || typeof wire.type !== 'string' || typeof wire.aggregate_id !== 'string') {
    throw new Error('event message lacks id, type or aggregate_id');
  }
  const event = {
    id: wire.id,
    type: wire.type as EventType,
    version: wire.version,
    aggregateType: wire.aggregate_type as AggregateType,
    aggregateId: wire.aggregate_id,
    payload: wire.payload,
    occurredAt: new Date(wire.occurred_at),
  } as OutboxEvent;
  return wire.replay_for ? { event, replayFor: wire.replay_for } : { event };
}

function decode(data: Uint8Array): OutboxEvent {
  return decodeWithTarget(data).event;
}
