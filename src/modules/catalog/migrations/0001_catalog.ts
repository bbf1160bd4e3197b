import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sellers')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('first_party', 'marketplace')`))
    // The identity account (role 'seller') that manages this seller; no FK, it belongs to another module.
    .addColumn('account_id', 'uuid', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('categories')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('parent_id', 'integer', (c) => c.references('categories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('path', 'text', (c) => c.notNull().unique())
    .execute();
  // text_pattern_ops lets `path like 'a/b/%'` use the index whatever the database collation.
  await sql`create index categories_path_prefix_idx on categories (path text_pattern_ops)`.execute(db);
  await db.schema.createIndex('categories_parent_idx').on('categories').column('parent_id').execute();

  await db.schema
    .createTable('products')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('seller_id', 'uuid', (c) => c.notNull().references('sellers.id'))
    .addColumn('title', 'varchar(500)', (c) => c.notNull().check(sql`length(title) > 0`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('category_id', 'integer', (c) => c.notNull().references('categories.id'))
    .addColumn('brand', 'text')
    .addColumn('price_amount', 'integer', (c) => c.notNull().check(sql`price_amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull().check(sql`currency ~ '^[A-Z]{3}$'`))
    .addColumn('images', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(images) = 'array'`))
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(attributes) = 'object'`))
    .addColumn('avg_rating', sql`numeric(2,1)`, (c) => c.notNull().defaultTo(0).check(sql`avg_rating between 0 and 5`))
    .addColumn('review_count', 'integer', (c) => c.notNull().defaultTo(0).check(sql`review_count >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'inactive', 'suspended')`))
    .addColumn('purchase_limit', 'integer', (c) => c.check(sql`purchase_limit > 0`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Keyset listing of the storefront: newest first (uuidv7 ids are time-ordered), active products only.
  await sql`create index products_active_id_idx on products (id desc) where status = 'active'`.execute(db);
  await sql`create index products_active_category_id_idx on products (category_id, id desc) where status = 'active'`.execute(db);
  await db.schema.createIndex('products_seller_idx').on('products').columns(['seller_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('products').execute();
  await db.schema.dropTable('categories').execute();
  await db.schema.dropTable('sellers').execute();
}
