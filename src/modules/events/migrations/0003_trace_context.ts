import type { Kysely } from 'kysely';

/** W3C trace context (traceparent, tracestate) of the transaction that wrote the event, when tracing is on. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('trace_context', 'jsonb').execute();
}
