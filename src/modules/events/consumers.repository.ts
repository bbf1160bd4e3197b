import { sql, type Kysely, type Transaction } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { EventsTables } from './events.tables.ts';
import { toRelayedEvent, type RelayedEvent } from './outbox.repository.ts';

const tables = (executor: Executor<any>) => executor as Executor<EventsTables>;

/**
 * Runs `fn` and records `eventId` as processed by `consumer` in one transaction, so the
 * effect and its "done" mark commit together: applying the same event again is a no-op.
 * The processed row is inserted first, so a concurrent duplicate waits on it and then
 * skips. Returns whether `fn` ran. Pass a transaction to join it instead of opening one.
 */
export async function applyOnce(
  db: Executor<any>,
  consumer: string,
  eventId: string,
  fn: (trx: Transaction<any>) => Promise<void>,
): Promise<boolean> {
  const body = async (trx: Transaction<any>) => {
    const inserted = await tables(trx)
      .insertInto('processed_events')
      .values({ consumer, event_id: eventId })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await fn(trx);
    return true;
  };
  if (db.isTransaction) return body(db as Transaction<any>);
  return (db as Kysely<any>).transaction().execute(body);
}

export async function isProcessed(executor: Executor<any>, consumer: string, eventId: string): Promise<boolean> {
  const row = await tables(executor)
    .selectFrom('processed_events')
    .select('event_id')
    .where('consumer', '=', consumer)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row !== undefined;
}

export interface DeliveryTarget {
  consumer: string;
  event: RelayedEvent;
}

/** Queues events for consumers; an event still queued for a consumer is not queued twice. */
export async function enqueueDeliveries(executor: Executor<any>, targets: DeliveryTarget[], availableAt: Date): Promise<void> {
  if (targets.length === 0) return;
  await tables(executor)
    .insertInto('event_deliveries')
    .values(
      targets.map(({ consumer, event }) => ({
        consumer,
        event_id: event.id,
        seq: event.seq,
        type: event.type,
        aggregate_type: event.aggregateType,
        aggregate_id: event.aggregateId,
        occurred_at: event.occurredAt,
        available_at: availableAt,
      })),
    )
    .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
    .execute();
}

export interface ClaimedDelivery {
  consumer: string;
  attempts: number;
  event: RelayedEvent;
}

/**
 * Claims due deliveries until `leaseUntil` (the ack wait). Only the oldest queued event
 * of each (consumer, aggregate) is eligible, so one aggregate's events reach a consumer
 * one at a time and in order, even with several processes claiming; SKIP LOCKED keeps
 * those processes from waiting on each other.
 */
export async function claimDeliveries(
  db: Kysely<any>,
  consumers: string[],
  now: Date,
  leaseUntil: Date,
  limit: number,
): Promise<ClaimedDelivery[]> {
  if (consumers.length === 0) return [];
  const { rows } = await sql<{
    consumer: string;
    attempts: number;
    seq: number;
    id: string;
    type: string;
    version: number;
    aggregate_type: string;
    aggregate_id: string;
    payload: unknown;
    occurred_at: Date;
    trace_context: unknown;
  }>`
    with candidates as (
      select d.consumer, d.event_id
      from event_deliveries d
      where d.consumer = any(${consumers}::text[])
        and d.available_at <= ${now}
        and not exists (
          select 1 from event_deliveries e
          where e.consumer = d.consumer and e.aggregate_type = d.aggregate_type
            and e.aggregate_id = d.aggregate_id and e.seq < d.seq
        )
      order by d.seq
      limit ${limit}
      for update of d skip locked
    ), claimed as (
      update event_deliveries t
      set available_at = ${leaseUntil}, attempts = t.attempts + 1
      from candidates c
      where t.consumer = c.consumer and t.event_id = c.event_id
      returning t.consumer, t.event_id, t.attempts
    )
    select claimed.consumer, claimed.attempts, o.seq, o.id, o.type, o.version, o.aggregate_type, o.aggregate_id, o.payload, o.occurred_at, o.trace_context
    from claimed join outbox o on o.id = claimed.event_id
    order by o.seq`.execute(db);
  return rows.map((row) => ({ consumer: row.consumer, attempts: Number(row.attempts), event: toRelayedEvent(row) }));
}

export async function deleteDelivery(executor: Executor<any>, consumer: string, eventId: string): Promise<void> {
  await tables(executor).deleteFrom('event_deliveries').where('consumer', '=', consumer).where('event_id', '=', eventId).execute();
}

/** Schedules another attempt, unless another process re-claimed the delivery since (its lease stands). */
export async function rescheduleDelivery(
  executor: Executor<any>,
  claim: { consumer: string; eventId: string; attempts: number },
  availableAt: Date,
  error: string,
): Promise<void> {
  await tables(executor)
    .updateTable('event_deliveries')
    .set({ available_at: availableAt, last_error: error })
    .where('consumer', '=', claim.consumer)
    .where('event_id', '=', claim.eventId)
    .where('attempts', '=', claim.attempts)
    .execute();
}

export interface QueueLag {
  consumer: string;
  pending: number;
  oldest: Date;
}

export async function queueLag(executor: Executor<any>, consumers: string[]): Promise<QueueLag[]> {
  if (consumers.length === 0) return [];
  const rows = await tables(executor)
    .selectFrom('event_deliveries')
    .select((eb) => ['consumer', eb.fn.countAll<number>().as('pending'), eb.fn.min('occurred_at').as('oldest')])
    .where('consumer', 'in', consumers)
    .groupBy('consumer')
    .execute();
  return rows.map((r) => ({ consumer: r.consumer, pending: Number(r.pending), oldest: new Date(r.oldest as Date) }));
}

export interface DeadLetter {
  consumer: string;
  eventId: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date;
  attempts: number;
  lastError: string;
  deadAt: Date;
}

/** Records (or refreshes) a dead letter: the event a consumer gave up on after its last attempt. */
export async function recordDeadLetter(executor: Executor<any>, letter: DeadLetter): Promise<void> {
  const row = {
    consumer: letter.consumer,
    event_id: letter.eventId,
    type: letter.type,
    aggregate_type: letter.aggregateType,
    aggregate_id: letter.aggregateId,
    payload: JSON.stringify(letter.payload),
    occurred_at: letter.occurredAt,
    attempts: letter.attempts,
    last_error: letter.lastError,
    dead_at: letter.deadAt,
  };
  await tables(executor)
    .insertInto('dead_letters')
    .values(row)
    .onConflict((oc) => oc.columns(['consumer', 'event_id']).doUpdateSet({ attempts: row.attempts, last_error: row.last_error, dead_at: row.dead_at }))
    .execute();
}

export async function listDeadLetters(executor: Executor<any>, consumer?: string): Promise<DeadLetter[]> {
  let query = tables(executor).selectFrom('dead_letters').selectAll().orderBy('dead_at');
  if (consumer) query = query.where('consumer', '=', consumer);
  const rows = await query.execute();
  return rows.map((r) => ({
    consumer: r.consumer,
    eventId: r.event_id,
    type: r.type,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    payload: r.payload,
    occurredAt: new Date(r.occurred_at),
    attempts: r.attempts,
    lastError: r.last_error,
    deadAt: new Date(r.dead_at),
  }));
}
