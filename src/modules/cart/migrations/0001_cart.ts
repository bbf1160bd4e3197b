import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('carts')
    .addColumn('customer_id', 'uuid', (c) => c.primaryKey())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The expiry job scans by age.
  await db.schema.createIndex('carts_updated_at_idx').on('carts').column('updated_at').execute();

  await db.schema
    .createTable('cart_items')
    .addColumn('customer_id', 'uuid', (c) => c.notNull().references('carts.customer_id').onDelete('cascade'))
    .addColumn('product_id', 'uuid', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('unit_price_amount', 'integer', (c) => c.notNull().check(sql`unit_price_amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('product_snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('cart_items_pkey', ['customer_id', 'product_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cart_items').execute();
  await db.schema.dropTable('carts').execute();
}
