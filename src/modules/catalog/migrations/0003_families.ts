import { sql, type Kysely } from 'kysely';

/**
 * Variation families: a parent that carries the shared title, description, images and option
 * axes (size, colour…) of child products. Each child stays a product with its own id, price,
 * stock and availability (one id per variant, as marketplaces model it), naming its value on
 * every axis in `options`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('product_families')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('seller_id', 'uuid', (c) => c.notNull().references('sellers.id'))
    .addColumn('title', 'varchar(500)', (c) => c.notNull().check(sql`length(title) > 0`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('brand', 'text')
    .addColumn('category_id', 'integer', (c) => c.notNull().references('categories.id'))
    .addColumn('images', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`).check(sql`jsonb_typeof(images) = 'array'`))
    .addColumn('axes', 'jsonb', (c) => c.notNull().check(sql`jsonb_typeof(axes) = 'array'`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'inactive', 'suspended')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('product_families_seller_idx').on('product_families').columns(['seller_id', 'id']).execute();

  await sql`alter table products add column family_id uuid references product_families (id)`.execute(db);
  await sql`alter table products add column options jsonb not null default '{}'::jsonb check (jsonb_typeof(options) = 'object')`.execute(db);
  // One child per combination of option values within a family.
  await sql`create unique index products_family_options_idx on products (family_id, options) where family_id is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index products_family_options_idx`.execute(db);
  await sql`alter table products drop column options`.execute(db);
  await sql`alter table products drop column family_id`.execute(db);
  await db.schema.dropTable('product_families').execute();
}
