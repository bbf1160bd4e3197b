import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('checkouts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('customer_id', 'uuid', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'reserved', 'authorized', 'captured', 'confirmed', 'placed', 'completed', 'compensating', 'failed')`),
    )
    .addColumn('lines', 'jsonb', (c) => c.notNull())
    .addColumn('allocations', 'jsonb')
    .addColumn('total_amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('shipping_address', 'jsonb', (c) => c.notNull())
    .addColumn('payment_method_id', 'uuid', (c) => c.notNull())
    .addColumn('estimated_delivery', 'date')
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('failure_code', 'text')
    .addColumn('lease_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recoveries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('checkouts_customer_idempotency_key', ['customer_id', 'idempotency_key'])
    .execute();
  await sql`create index checkouts_unfinished_idx on checkouts (lease_expires_at) where state not in ('completed', 'failed')`.execute(db);
  await db.schema.createIndex('checkouts_customer_created_idx').on('checkouts').columns(['customer_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('checkouts').execute();
}
