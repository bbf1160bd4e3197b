import { sql, type Kysely } from 'kysely';

/**
 * Products a shop sells in a flash sale can ask buyers to pass a human check (CAPTCHA) at
 * checkout, the spec's bot protection beside per-customer purchase limits.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table products add column checkout_challenge boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table products drop column checkout_challenge`.execute(db);
}
