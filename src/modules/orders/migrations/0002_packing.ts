import { sql, type Kysely } from 'kysely';

/**
 * `packing_started` is the order's side of the cancel-versus-pack race: packing sets it
 * only while the order is not cancelled, and a cancel succeeds only while it is false, so
 * the two conditional updates on the order row have exactly one winner.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table orders add column packing_started boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table orders drop column packing_started`.execute(db);
}
