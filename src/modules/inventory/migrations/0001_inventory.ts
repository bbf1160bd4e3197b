import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('warehouses')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('country', 'char(2)', (c) => c.notNull())
    .addColumn('latitude', 'double precision', (c) => c.notNull())
    .addColumn('longitude', 'double precision', (c) => c.notNull())
    .addColumn('processing_sla_hours', 'integer', (c) => c.notNull().defaultTo(24).check(sql`processing_sla_hours > 0`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The database itself refuses any state that would oversell (invariant 1).
  await db.schema
    .createTable('stock_levels')
    .addColumn('product_id', 'uuid', (c) => c.notNull())
    .addColumn('warehouse_id', 'uuid', (c) => c.notNull().references('warehouses.id'))
    .addColumn('total_stock', 'integer', (c) => c.notNull().check(sql`total_stock >= 0`))
    .addColumn('reserved_stock', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sold_stock', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('stock_levels_pk', ['product_id', 'warehouse_id'])
    .addCheckConstraint('stock_reserved_non_negative', sql`reserved_stock >= 0`)
    .addCheckConstraint('stock_sold_non_negative', sql`sold_stock >= 0`)
    .addCheckConstraint('stock_committed_within_total', sql`reserved_stock + sold_stock <= total_stock`)
    .execute();

  await db.schema
    .createTable('reservations')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('checkout_id', 'uuid', (c) => c.notNull())
    .addColumn('product_id', 'uuid', (c) => c.notNull())
    .addColumn('warehouse_id', 'uuid', (c) => c.notNull().references('warehouses.id'))
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('reserved', 'confirmed', 'released', 'expired')`))
    .addColumn('destination_latitude', 'double precision', (c) => c.notNull())
    .addColumn('destination_longitude', 'double precision', (c) => c.notNull())
    .addColumn('replaced_by', 'uuid')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reservations_checkout_idx').on('reservations').column('checkout_id').execute();
  await sql`create index reservations_due_idx on reservations (expires_at) where status = 'reserved'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reservations').execute();
  await db.schema.dropTable('stock_levels').execute();
  await db.schema.dropTable('warehouses').execute();
}
