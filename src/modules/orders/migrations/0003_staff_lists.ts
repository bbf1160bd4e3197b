import { sql, type Kysely } from 'kysely';

/** Staff list every customer's orders newest first (keyset on placed_at, id), and find them by warehouse. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index orders_placed_idx on orders (placed_at desc, id desc)`.execute(db);
  await sql`create index order_items_warehouse_idx on order_items (warehouse_id, order_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index order_items_warehouse_idx`.execute(db);
  await sql`drop index orders_placed_idx`.execute(db);
}
