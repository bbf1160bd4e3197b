import { sql, type Kysely } from 'kysely';

/**
 * Consumer bookkeeping, in every database: `processed_events` makes a consumer's effect
 * idempotent (its row is written in the same transaction as the effect);
 * `event_deliveries` is the in-process bus's per-consumer queue (the outbox is the log);
 * `dead_letters` holds events a consumer gave up on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('processed_events')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('processed_events_pk', ['consumer', 'event_id'])
    .execute();

  await db.schema
    .createTable('event_deliveries')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'uuid', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // Visibility time: due for delivery from here on; pushed forward by a claim (the ack wait) or a retry backoff.
    .addColumn('available_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('event_deliveries_pk', ['consumer', 'event_id'])
    .execute();
  await db.schema.createIndex('event_deliveries_aggregate_idx').on('event_deliveries').columns(['consumer', 'aggregate_type', 'aggregate_id', 'seq']).execute();
  await db.schema.createIndex('event_deliveries_due_idx').on('event_deliveries').columns(['consumer', 'available_at']).execute();

  await db.schema
    .createTable('dead_letters')
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('aggregate_type', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'uuid', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text', (c) => c.notNull())
    .addColumn('dead_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('dead_letters_pk', ['consumer', 'event_id'])
    .execute();

  await db.schema.createIndex('outbox_occurred_idx').on('outbox').column('occurred_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_occurred_idx').execute();
  await db.schema.dropTable('dead_letters').execute();
  await db.schema.dropTable('event_deliveries').execute();
  await db.schema.dropTable('processed_events').execute();
}
