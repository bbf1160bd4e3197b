import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Ships with PGlite 0.5 and with PostgreSQL 15 contrib; nothing else non-core is used.
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('search_documents')
    .addColumn('product_id', 'uuid', (c) => c.primaryKey())
    .addColumn('seller_id', 'uuid', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('brand', 'text')
    .addColumn('brand_key', 'text')
    .addColumn('category_id', 'integer', (c) => c.notNull())
    .addColumn('category_name', 'text', (c) => c.notNull())
    .addColumn('category_path', 'text', (c) => c.notNull())
    .addColumn('category_ids', sql`integer[]`, (c) => c.notNull())
    .addColumn('category_slugs', sql`text[]`, (c) => c.notNull())
    .addColumn('price_amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('image', 'text')
    .addColumn('avg_rating', sql`numeric(3,2)`, (c) => c.notNull())
    .addColumn('review_count', 'integer', (c) => c.notNull())
    .addColumn('popularity', 'double precision', (c) => c.notNull())
    .addColumn('availability', 'text', (c) => c.notNull())
    .addColumn('in_stock', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('document', sql`tsvector`, (c) => c.notNull())
    .addColumn('suggest', sql`tsvector`, (c) => c.notNull())
    // Digest of the source the row was built from: an unchanged product is not rewritten.
    .addColumn('source_hash', 'text', (c) => c.notNull())
    .addColumn('indexed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index search_documents_document_idx on search_documents using gin (document)`.execute(db);
  await sql`create index search_documents_suggest_idx on search_documents using gin (suggest)`.execute(db);
  await sql`create index search_documents_category_ids_idx on search_documents using gin (category_ids)`.execute(db);
  await sql`create index search_documents_category_slugs_idx on search_documents using gin (category_slugs)`.execute(db);
  // Serves the degraded fallback's ILIKE without a sequential scan.
  await sql`create index search_documents_title_trgm_idx on search_documents using gin (title gin_trgm_ops)`.execute(db);
  await sql`create index search_documents_brand_idx on search_documents (brand_key text_pattern_ops)`.execute(db);
  await sql`create index search_documents_price_idx on search_documents (price_amount, product_id)`.execute(db);
  // Category filters resolve to leaf ids: a leaf's most popular products come straight off this index.
  await sql`create index search_documents_category_idx on search_documents (category_id, popularity desc, product_id desc)`.execute(db);
  await sql`create index search_documents_popularity_idx on search_documents (popularity desc, product_id desc)`.execute(db);
  await sql`create index search_documents_rating_idx on search_documents (avg_rating desc, review_count desc, product_id desc)`.execute(db);
  await sql`create index search_documents_newest_idx on search_documents (created_at desc, product_id desc)`.execute(db);

  await db.schema
    .createTable('search_terms')
    .addColumn('term', 'text', (c) => c.primaryKey())
    .addColumn('frequency', 'integer', (c) => c.notNull())
    .execute();
  await sql`create index search_terms_trgm_idx on search_terms using gin (term gin_trgm_ops)`.execute(db);

  await db.schema
    .createTable('search_categories')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('name_key', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_categories').execute();
  await db.schema.dropTable('search_terms').execute();
  await db.schema.dropTable('search_documents').execute();
}
