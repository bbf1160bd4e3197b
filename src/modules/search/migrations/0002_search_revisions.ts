import { sql, type Kysely } from 'kysely';

/**
 * Revisions, so an in-memory copy of the index can follow the table (every write takes the
 * next value under one advisory lock, so revisions commit in order), removals with their
 * revision, the analyzed terms and head noun the memory engine reads, and the variation family
 * each product belongs to. Existing rows get
 * a revision now and their terms at the next rebuild (`bazaar search reindex`, run at start-up
 * when any row lacks them).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create sequence search_revision`.execute(db);
  await sql`alter table search_documents add column revision bigint not null default nextval('search_revision')`.execute(db);
  await sql`alter table search_documents add column terms text`.execute(db);
  await sql`alter table search_documents add column head_noun text`.execute(db);
  // Variation families: one result per family.
  await sql`alter table search_documents add column family_id uuid`.execute(db);
  await sql`alter table search_documents add column family_title text`.execute(db);
  await sql`create index search_documents_revision_idx on search_documents (revision)`.execute(db);
  await db.schema
    .createTable('search_removals')
    .addColumn('product_id', 'uuid', (c) => c.primaryKey())
    .addColumn('revision', 'bigint', (c) => c.notNull())
    .execute();
  await sql`create index search_removals_revision_idx on search_removals (revision)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('search_removals').execute();
  await sql`alter table search_documents drop column revision, drop column terms, drop column head_noun, drop column family_id, drop column family_title`.execute(db);
  await sql`drop sequence search_revision`.execute(db);
}
