import { sql, type Kysely } from 'kysely';

/** Staff look a shipment up by the tracking number a customer reads out, whatever its carrier or letter case. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index shipments_tracking_upper_idx on shipments (upper(tracking_number)) where tracking_number is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index shipments_tracking_upper_idx`.execute(db);
}
