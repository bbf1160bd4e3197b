import type { ModuleSchema } from '../../platform/migrations.ts';
import * as outbox0001 from './migrations/0001_outbox.ts';
import * as consumers0002 from './migrations/0002_consumers.ts';
import * as traceContext0003 from './migrations/0003_trace_context.ts';

export * from './events.types.ts';
export { appendToOutbox, listOutbox, type NewEvent, type OutboxTables, type RelayedEvent } from './outbox.repository.ts';
export { applyOnce, isProcessed, listDeadLetters, type DeadLetter } from './consumers.repository.ts';
export type { ConsumerDefinition, EventOf, PlainConsumer, TransactionalConsumer } from './events.bus.ts';
export type { EventRuntimeHooks } from './consumer.runner.ts';
export {
  createEventRuntime,
  replayEvents,
  type ConsumerLag,
  type EventRuntime,
  type EventRuntimeDeps,
  type EventsConfig,
  type ReplayOptions,
  type ReplayResult,
} from './events.runtime.ts';
export type { EventsTables } from './events.tables.ts';

export const eventsSchema: ModuleSchema = {
  module: 'events',
  domain: 'every',
  migrations: { '0001_outbox': outbox0001, '0002_consumers': consumers0002, '0003_trace_context': traceContext0003 },
};
