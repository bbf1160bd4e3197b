import { sql, type Kysely } from 'kysely';

/** Shipments (one per warehouse of an order), their status history, and carrier webhook receipts. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shipments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('order_id', 'uuid', (c) => c.notNull())
    .addColumn('customer_id', 'uuid', (c) => c.notNull())
    .addColumn('warehouse_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'picked', 'packed', 'shipped', 'delivered', 'cancelled')`),
    )
    .addColumn('carrier', 'text')
    .addColumn('tracking_number', 'text')
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('route', 'jsonb')
    .addColumn('estimated_delivery', 'date')
    .addColumn('source_event_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('shipped_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    // One shipment per warehouse of an order, however often order.placed is delivered.
    .addUniqueConstraint('shipments_order_warehouse', ['order_id', 'warehouse_id'])
    .addCheckConstraint('shipments_shipped_has_tracking', sql`status not in ('shipped', 'delivered') or (carrier is not null and tracking_number is not null)`)
    .execute();
  await sql`create unique index shipments_carrier_tracking_idx on shipments (carrier, tracking_number) where tracking_number is not null`.execute(db);
  // The simulator's scan: open shipments by how long they have been in their status.
  await sql`create index shipments_open_idx on shipments (status_changed_at) where status in ('pending', 'picked', 'packed', 'shipped')`.execute(db);

  await db.schema
    .createTable('shipment_status_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('shipment_id', 'uuid', (c) => c.notNull().references('shipments.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('shipment_status_history_shipment_idx').on('shipment_status_history').columns(['shipment_id', 'id']).execute();

  await db.schema
    .createTable('webhook_receipts')
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('shipment_id', 'uuid', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_receipts_pk', ['carrier', 'delivery_id'])
    .execute();
  await db.schema.createIndex('webhook_receipts_received_idx').on('webhook_receipts').column('received_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_receipts').execute();
  await db.schema.dropTable('shipment_status_history').execute();
  await db.schema.dropTable('shipments').execute();
}
