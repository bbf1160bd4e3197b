import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('storefront_visits')
    .addColumn('visit_id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid')
    .addColumn('first_product_id', 'uuid', (c) => c.notNull())
    .addColumn('product_views', 'integer', (c) => c.notNull().check(sql`product_views > 0`))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('storefront_visits_first_seen_idx').on('storefront_visits').column('first_seen_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('storefront_visits').execute();
}
