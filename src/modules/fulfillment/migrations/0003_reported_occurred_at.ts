import type { Kysely } from 'kysely';

/**
 * The time a warehouse or carrier claimed for a step, kept beside the time the history shows.
 * A back-dated report (earlier than the shipment's previous step) is recorded in history order:
 * `occurred_at` never goes before the previous step, and this column keeps what was reported.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('shipment_status_history').addColumn('reported_occurred_at', 'timestamptz').execute();
}
