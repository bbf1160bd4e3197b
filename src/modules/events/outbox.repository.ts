import type { Executor } from '../../platform/database.ts';
import { newId } from '../../platform/ids.ts';
import { currentTraceContext } from '../../platform/tracing.ts';
import type { AggregateType, EventPayloads, EventType, OutboxEvent } from './events.types.ts';

import type { Generated, Selectable } from 'kysely';

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  type: string;
  version: number;
  aggregate_type: string;
  aggregate_id: string;
  payload: unknown;
  occurred_at: Generated<Date>;
  published_at: Date | null;
  trace_context: Record<string, string> | null;
}

export interface OutboxTables {
  outbox: OutboxTable;
}

export interface NewEvent<T extends EventType> {
  type: T;
  version?: number;
  aggregateType: AggregateType;
  aggregateId: string;
  payload: EventPayloads[T];
}

/**
 * Records an event in the outbox. Call it with the same transaction as the change the
 * event announces, so the event exists if and only if the change committed.
 */
export async function appendToOutbox<T extends EventType>(executor: Executor<any>, event: NewEvent<T>): Promise<OutboxEvent<T>> {
  const traceContext = currentTraceContext();
  const row = {
    id: newId(),
    type: event.type,
    version: event.version ?? 1,
    aggregate_type: event.aggregateType,
    aggregate_id: event.aggregateId,
    payload: JSON.stringify(event.payload),
    // The span this change happens in (a checkout, a carrier report): its consumers' spans continue it.
    trace_context: (traceContext ? JSON.stringify(traceContext) : null) as Record<string, string> | null,
  };
  const inserted = await (executor as Executor<OutboxTables>)
    .insertInto('outbox')
    .values(row)
    .returning(['occurred_at'])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    type: event.type,
    version: row.version,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    payload: event.payload,
    occurredAt: inserted.occurred_at,
    ...(traceContext ? { traceContext } : {}),
  };
}

export async function listOutbox(executor: Executor<any>, filter: { aggregateId?: string; type?: string } = {}) {
  let query = (executor as Executor<OutboxTables>).selectFrom('outbox').selectAll().orderBy('seq');
  if (filter.aggregateId) query = query.where('aggregate_id', '=', filter.aggregateId);
  if (filter.type) query = query.where('type', '=', filter.type);
  return query.execute();
}

/** An outbox row on its way through the bus; `seq` orders it within its database. */
export interface RelayedEvent extends OutboxEvent {
  seq: number;
}

type OutboxRow = Selectable<OutboxTable>;

export function toRelayedEvent(
  row: Pick<OutboxRow, 'seq' | 'id' | 'type' | 'version' | 'aggregate_type' | 'aggregate_id' | 'payload' | 'occurred_at'> & { trace_context?: unknown },
): RelayedEvent {
  const traceContext = (typeof row.trace_context === 'string' ? JSON.parse(row.trace_context) : row.trace_context) as Record<string, string> | null | undefined;
  return {
    seq: Number(row.seq),
    id: row.id,
    type: row.type as EventType,
    version: row.version,
    aggregateType: row.aggregate_type as AggregateType,
    aggregateId: row.aggregate_id,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as RelayedEvent['payload'],
    occurredAt: new Date(row.occurred_at),
    ...(traceContext ? { traceContext } : {}),
  };
}

/**
 * The oldest unpublished rows by `seq`. No high-water mark: a row whose transaction
 * committed after a higher `seq` was published is still found here on the next pass.
 */
export async function findUnpublished(executor: Executor<any>, limit: number): Promise<RelayedEvent[]> {
  const rows = await (executor as Executor<OutboxTables>)
    .selectFrom('outbox')
    .selectAll()
    .where('published_at', 'is', null)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toRelayedEvent);
}

export async function markPublished(executor: Executor<any>, seqs: number[], at: Date): Promise<void> {
  if (seqs.length === 0) return;
  await (executor as Executor<OutboxTables>).updateTable('outbox').set({ published_at: at }).where('seq', 'in', seqs).execute();
}

/** Published rows that occurred at or after `since`, in `seq` order, one page after `afterSeq`. */
export async function findPublishedSince(
  executor: Executor<any>,
  since: Date,
  types: string[],
  afterSeq: number,
  limit: number,
): Promise<RelayedEvent[]> {
  if (types.length === 0) return [];
  const rows = await (executor as Executor<OutboxTables>)
    .selectFrom('outbox')
    .selectAll()
    .where('occurred_at', '>=', since)
    .where('published_at', 'is not', null)
    .where('type', 'in', types)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(toRelayedEvent);
}

export interface UnpublishedByType {
  type: string;
  count: number;
  oldest: Date;
}

export async function countUnpublishedByType(executor: Executor<any>): Promise<UnpublishedByType[]> {
  const rows = await (executor as Executor<OutboxTables>)
    .selectFrom('outbox')
    .select((eb) => ['type', eb.fn.countAll<number>().as('count'), eb.fn.min('occurred_at').as('oldest')])
    .where('published_at', 'is', null)
    .groupBy('type')
    .execute();
  return rows.map((r) => ({ type: r.type, count: Number(r.count), oldest: new Date(r.oldest as Date) }));
}
