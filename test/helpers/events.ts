import net from 'node:net';
import { sql, type Kysely, type Transaction } from 'kysely';
import { connect } from 'nats';
import { appendToOutbox, createEventRuntime, eventsSchema, EventTypes, type EventRuntime, type EventRuntimeHooks } from '../../src/modules/events/index.ts';
import type { Clock } from '../../src/platform/clock.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { loadConfig, type Config } from '../../src/platform/config.ts';
import { newId } from '../../src/platform/ids.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { Metrics } from '../../src/platform/metrics.ts';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { createTestDatabases, type Backend, type TestDatabases } from './databases.ts';
import { waitFor } from './wait.ts';

export type BusKind = 'in-process' | 'jetstream';

/**
 * Buses every event test runs on: in-process always, JetStream too when TEST_NATS_URL is
 * set. CI sets it and fails (does not skip) when NATS is unreachable.
 */
export const BUSES: BusKind[] = process.env.TEST_NATS_URL ? ['in-process', 'jetstream'] : ['in-process'];

let prefixCounter = 0;
/** A stream prefix no other test run or suite uses. */
export const uniquePrefix = () => `T${Date.now().toString(36)}${process.pid}N${++prefixCounter}`.toUpperCase();

/** A TCP port on which nothing listens: "NATS is down". */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Effect {
  id: number;
  consumer: string;
  event_id: string;
  aggregate_id: string;
  step: number;
}

export interface EventsFixture {
  databases: TestDatabases;
  config: Config;
  metrics: Metrics;
  /** A runtime (a "process") on the fixture's databases; closed by `close()`. */
  runtime(options?: { hooks?: EventRuntimeHooks; env?: Record<string, string>; clock?: Clock; metrics?: Metrics }): EventRuntime;
  /** Registers a consumer that records each event it applies in `event_effects`. */
  recordingConsumer(runtime: EventRuntime, name?: string, fail?: (eventId: string) => boolean): void;
  effects(consumer?: string): Promise<Effect[]>;
  /** Appends `steps` status changes of one order in one transaction; returns their ids in order. */
  appendSteps(executor: Kysely<any> | Transaction<any>, orderId: string, steps: number, from?: number): Promise<string[]>;
  waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs?: number): Promise<T>;
  /** Closes this test's runtimes, empties the event tables and moves to a fresh stream prefix. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function createEventsFixture(backend: Backend, bus: BusKind, env: Record<string, string> = {}): Promise<EventsFixture> {
  if (bus === 'jetstream') await assertNatsReachable(process.env.TEST_NATS_URL!);
  const databases = await createTestDatabases(backend);
  await migrateToLatest(databases, [eventsSchema]);
  await sql`create table event_effects (id bigserial primary key, consumer text not null, event_id uuid not null, aggregate_id uuid not null, step integer not null)`.execute(
    databases.main,
  );
  let prefix = uniquePrefix();
  const baseEnv = () => ({
    LOG_LEVEL: 'silent',
    PGLITE_PATH: 'memory://',
    EVENTS_POLL_INTERVAL_MS: '20',
    EVENTS_ACK_WAIT_MS: '1000',
    EVENTS_RETRY_BASE_MS: '20',
    EVENTS_MAX_DELIVER: '3',
    NATS_STREAM_PREFIX: prefix,
    ...(bus === 'jetstream' ? { NATS_URL: process.env.TEST_NATS_URL! } : {}),
    ...env,
  });
  let metrics = new Metrics(false);
  const runtimes: EventRuntime[] = [];
  const closeRuntimes = async () => {
    for (const runtime of runtimes.splice(0)) await runtime.close();
    if (bus === 'jetstream') await deleteStream(process.env.TEST_NATS_URL!, `${prefix}_EVENTS`);
  };
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

  const fixture: EventsFixture = {
    databases,
    get config() {
      return loadConfig(baseEnv());
    },
    get metrics() {
      return metrics;
    },
    runtime(options = {}) {
      const runtime = createEventRuntime({
        config: loadConfig({ ...baseEnv(), ...options.env }),
        databases,
        logger,
        metrics: options.metrics ?? metrics,
        clock: options.clock ?? systemClock,
        ...(options.hooks ? { hooks: options.hooks } : {}),
      });
      runtimes.push(runtime);
      return runtime;
    },
    recordingConsumer(runtime, name = 'recorder', fail) {
      runtime.registerConsumer({
        name,
        types: [EventTypes.orderStatusChanged],
        db: databases.main,
        async handle(event, trx) {
          if (fail?.(event.id)) throw new Error(`refusing ${event.id}`);
          await trx
            .insertInto('event_effects')
            .values({ consumer: name, event_id: event.id, aggregate_id: event.aggregateId, step: Number(event.payload.to) })
            .execute();
        },
      });
    },
    async effects(consumer) {
      let query = databases.main.selectFrom('event_effects').selectAll().orderBy('id');
      if (consumer) query = query.where('consumer', '=', consumer);
      return (await query.execute()) as Effect[];
    },
    async appendSteps(executor, orderId, steps, from = 0) {
      const write = async (trx: Kysely<any> | Transaction<any>) => {
        const ids: string[] = [];
        for (let step = from + 1; step <= from + steps; step++) {
          const event = await appendToOutbox(trx, {
            type: EventTypes.orderStatusChanged,
            aggregateType: 'order',
            aggregateId: orderId,
            payload: { order_id: orderId, customer_id: orderId, from: String(step - 1), to: String(step), occurred_at: new Date().toISOString() },
          });
          ids.push(event.id);
        }
        return ids;
      };
      return executor.isTransaction ? write(executor) : (executor as Kysely<any>).transaction().execute(write);
    },
    waitFor: (probe, done, what, timeoutMs = 30_000) => waitFor(probe, done, what, timeoutMs),
    async reset() {
      await closeRuntimes();
      for (const handle of databases.handles) {
        await sql`truncate outbox, processed_events, event_deliveries, dead_letters`.execute(handle.db);
      }
      await sql`truncate event_effects`.execute(databases.main);
      prefix = uniquePrefix();
      metrics = new Metrics(false);
    },
    async close() {
      await closeRuntimes();
      await databases.close();
    },
  };
  return fixture;
}

export const newOrderId = () => newId();

/** Fails fast (instead of every test timing out) when TEST_NATS_URL is set but JetStream is not there. */
async function assertNatsReachable(url: string): Promise<void> {
  const nc = await connect({ servers: url, timeout: 3000 }).catch((error: unknown) => {
    throw new Error(`TEST_NATS_URL=${url} is set but NATS is unreachable: ${String(error)}`);
  });
  try {
    await nc.jetstreamManager();
  } finally {
    await nc.close();
  }
}

async function deleteStream(url: string, stream: string): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/** Number of messages the stream holds (to see JetStream's publish de-duplication). */
export async function streamMessageCount(url: string, stream: string): Promise<number> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    return (await jsm.streams.info(stream)).state.messages;
  } finally {
    await nc.close();
  }
}
