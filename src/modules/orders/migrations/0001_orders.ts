import { sql, type Kysely } from 'kysely';

export const ORDER_STATUSES = ['placed', 'processing', 'packed', 'shipped', 'delivered', 'cancelled'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('customer_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('placed', 'processing', 'packed', 'shipped', 'delivered', 'cancelled')`))
    .addColumn('subtotal_amount', 'integer', (c) => c.notNull().check(sql`subtotal_amount >= 0`))
    .addColumn('total_amount', 'integer', (c) => c.notNull().check(sql`total_amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('shipping_address', 'jsonb', (c) => c.notNull())
    .addColumn('payment_id', 'uuid', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('estimated_delivery', 'date', (c) => c.notNull())
    .addColumn('placed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('cancel_reason', 'text')
    .addColumn('refund_status', 'text', (c) => c.notNull().defaultTo('none').check(sql`refund_status in ('none', 'pending', 'done')`))
    .addUniqueConstraint('orders_customer_idempotency_key', ['customer_id', 'idempotency_key'])
    .execute();
  await db.schema.createIndex('orders_customer_placed_idx').on('orders').columns(['customer_id', 'placed_at desc', 'id desc']).execute();
  await db.schema.createIndex('orders_status_idx').on('orders').column('status').execute();
  await sql`create index orders_refund_pending_idx on orders (updated_at) where refund_status = 'pending'`.execute(db);

  await db.schema
    .createTable('order_items')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('order_id', 'uuid', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('product_id', 'uuid', (c) => c.notNull())
    .addColumn('warehouse_id', 'uuid', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('unit_price', 'integer', (c) => c.notNull().check(sql`unit_price >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('reservation_id', 'uuid', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_items_order_idx').on('order_items').column('order_id').execute();
  await db.schema.createIndex('order_items_product_idx').on('order_items').columns(['product_id', 'order_id']).execute();

  await db.schema
    .createTable('order_status_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('order_id', 'uuid', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_status_history_order_idx').on('order_status_history').columns(['order_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_status_history').execute();
  await db.schema.dropTable('order_items').execute();
  await db.schema.dropTable('orders').execute();
}
