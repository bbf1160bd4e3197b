import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { InventoryTables, ReservationsTable, WarehousesTable } from './inventory.tables.ts';
import type { Reservation, ReservationStatus, StockLevel, Warehouse } from './inventory.types.ts';

const as = (e: Executor<any>) => e as Executor<InventoryTables>;

/** Rows per multi-row INSERT in bulk imports (6 columns × 1,000 stays far below PostgreSQL's 65,535 parameters). */
const IMPORT_CHUNK = 1000;

export const toWarehouse = (r: Selectable<WarehousesTable>): Warehouse => ({
  id: r.id,
  code: r.code,
  name: r.name,
  postalCode: r.postal_code,
  country: r.country.trim(),
  latitude: r.latitude,
  longitude: r.longitude,
  processingSlaHours: r.processing_sla_hours,
  active: r.active,
});

export const toReservation = (r: Selectable<ReservationsTable>): Reservation => ({
  id: r.id,
  checkoutId: r.checkout_id,
  productId: r.product_id,
  warehouseId: r.warehouse_id,
  quantity: r.quantity,
  status: r.status,
  expiresAt: r.expires_at,
});

export type NewWarehouseRow = Omit<WarehousesTable, 'created_at'>;

export async function insertWarehouse(e: Executor<any>, row: NewWarehouseRow): Promise<Warehouse> {
  return toWarehouse(await as(e).insertInto('warehouses').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function listWarehouses(e: Executor<any>): Promise<Warehouse[]> {
  return (await as(e).selectFrom('warehouses').selectAll().orderBy('code').execute()).map(toWarehouse);
}

export async function findWarehouse(e: Executor<any>, id: string): Promise<Warehouse | undefined> {
  const row = await as(e).selectFrom('warehouses').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWarehouse(row) : undefined;
}

/**
 * Sets a row's total in ONE statement, refusing (undefined) when the new total would fall
 * below what is already reserved or sold, so no reservation can slip between a check and
 * the write. A refused row is still locked by ON CONFLICT until the transaction ends.
 */
export async function upsertTotalStock(e: Executor<any>, productId: string, warehouseId: string, total: number, now: Date) {
  return as(e)
    .insertInto('stock_levels')
    .values({ product_id: productId, warehouse_id: warehouseId, total_stock: total, reserved_stock: 0, sold_stock: 0, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['product_id', 'warehouse_id'])
        .doUpdateSet({ total_stock: total, updated_at: now })
        .where(sql<boolean>`stock_levels.reserved_stock + stock_levels.sold_stock <= ${total}`),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function findStockRow(e: Executor<any>, productId: string, warehouseId: string) {
  return as(e).selectFrom('stock_levels').selectAll().where('product_id', '=', productId).where('warehouse_id', '=', warehouseId).executeTakeFirst();
}

/** Stock rows of these products in active warehouses, with each warehouse's code and location. */
export async function stockWithWarehouses(e: Executor<any>, productIds: string[]) {
  if (productIds.length === 0) return [];
  return as(e)
    .selectFrom('stock_levels as s')
    .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
    .select(['s.product_id', 's.warehouse_id', 'w.code', 'w.latitude', 'w.longitude', 'w.processing_sla_hours', 's.total_stock', 's.reserved_stock', 's.sold_stock'])
    .where('s.product_id', 'in', productIds)
    .where('w.active', '=', true)
    .orderBy('w.code')
    .execute();
}

export type StockRow = Awaited<ReturnType<typeof stockWithWarehouses>>[number];

export const toStockLevel = (r: Omit<StockRow, 'processing_sla_hours'>): StockLevel => ({
  productId: r.product_id,
  warehouseId: r.warehouse_id,
  warehouseCode: r.code,
  totalStock: r.total_stock,
  reservedStock: r.reserved_stock,
  soldStock: r.sold_stock,
  available: r.total_stock - r.reserved_stock - r.sold_stock,
});

/** Sellable units per product over active warehouses (products without stock rows are absent). */
export async function availableByProduct(e: Executor<any>, productIds: string[]): Promise<Map<string, number>> {
  if (productIds.length === 0) return new Map();
  const rows = await as(e)
    .selectFrom('stock_levels as s')
    .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
    .select(['s.product_id', sql<number>`sum(s.total_stock - s.reserved_stock - s.sold_stock)::int`.as('available')])
    .where('s.product_id', 'in', productIds)
    .where('w.active', '=', true)
    .groupBy('s.product_id')
    .execute();
  return new Map(rows.map((r) => [r.product_id, Number(r.available)]));
}

/**
 * The spec's atomic reservation: one conditional UPDATE, no SELECT FOR UPDATE. PostgreSQL
 * re-checks the WHERE clause on the latest row version after waiting for a concurrent
 * writer, so zero rows affected means the units really were not there at that moment.
 */
export async function tryReserveUnits(e: Executor<any>, productId: string, warehouseId: string, quantity: number, now: Date): Promise<boolean> {
  const result = await as(e)
    .updateTable('stock_levels')
    .set({ reserved_stock: sql`reserved_stock + ${quantity}`, updated_at: now })
    .where('product_id', '=', productId)
    .where('warehouse_id', '=', warehouseId)
    .where(sql<boolean>`total_stock - reserved_stock - sold_stock >= ${quantity}`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The spec's conditional UPDATE and the reservation row it pays for, in one statement
 * (atomic without a transaction): the row is inserted only if the units were taken.
 */
export async function reserveUnits(e: Executor<any>, row: ReservationsTable): Promise<Reservation | undefined> {
  const { rows } = await sql<Selectable<ReservationsTable>>`
    with taken as (
      update stock_levels set reserved_stock = reserved_stock + ${row.quantity}, updated_at = ${row.created_at}
      where product_id = ${row.product_id} and warehouse_id = ${row.warehouse_id} and total_stock - reserved_stock - sold_stock >= ${row.quantity}
      returning 1
    )
    insert into reservations (id, checkout_id, product_id, warehouse_id, quantity, status, destination_latitude, destination_longitude, replaced_by, expires_at, created_at, updated_at)
    select ${row.id}, ${row.checkout_id}, ${row.product_id}, ${row.warehouse_id}, ${row.quantity}, ${row.status}, ${row.destination_latitude}, ${row.destination_longitude},
      ${row.replaced_by}, ${row.expires_at}, ${row.created_at}, ${row.updated_at}
    from taken
    returning *`.execute(e);
  return rows[0] ? toReservation(rows[0]) : undefined;
}

export async function insertReservation(e: Executor<any>, row: ReservationsTable): Promise<Reservation> {
  return toReservation(await as(e).insertInto('reservations').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function reservationsOf(e: Executor<any>, checkoutId: string) {
  return as(e).selectFrom('reservations').selectAll().where('checkout_id', '=', checkoutId).orderBy('created_at').orderBy('id').execute();
}

export type ReservationRow = Awaited<ReturnType<typeof reservationsOf>>[number];

/**
 * Claims an expired reservation for re-making; false if it was already re-made. Taken first
 * in the re-making transaction so its lock orders before the stock rows'.
 */
export async function markReplaced(e: Executor<any>, id: string, replacedBy: string, now: Date): Promise<boolean> {
  const result = await as(e)
    .updateTable('reservations')
    .set({ replaced_by: replacedBy, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'expired')
    .where('replaced_by', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How a transition moves a reservation's units between the stock columns (+1 adds its quantity, −1 removes it). */
export interface StockMove {
  reserved: -1 | 0;
  sold: -1 | 0 | 1;
}

/**
 * Moves ONE reservation from `from` to `to` and its units between stock columns in a
 * single statement: the stock row changes only if the status UPDATE matched, so a
 * reservation is transitioned exactly once whoever races (sweeper vs. confirm). Each call
 * locks one reservation row, then one stock row, which keeps concurrent transitions free
 * of deadlocks. Returns the units moved (0 if the reservation was not in `from`).
 */
export async function transitionReservation(e: Executor<any>, id: string, from: ReservationStatus, to: ReservationStatus, move: StockMove, now: Date): Promise<number> {
  const { rows } = await sql<{ quantity: number }>`
    with moved as (
      update reservations set status = ${to}, updated_at = ${now}
      where id = ${id} and status = ${from}
      returning product_id, warehouse_id, quantity
    )
    update stock_levels s
    set reserved_stock = s.reserved_stock + ${move.reserved}::int * m.quantity,
        sold_stock = s.sold_stock + ${move.sold}::int * m.quantity,
        updated_at = ${now}
    from moved m
    where s.product_id = m.product_id and s.warehouse_id = m.warehouse_id
    returning m.quantity`.execute(e);
  return rows[0]?.quantity ?? 0;
}

/** `transitionReservation` reserved → confirmed (units move reserved → sold), returning the confirmed row; undefined if it was not held. */
export async function confirmReservation(e: Executor<any>, id: string, now: Date): Promise<Reservation | undefined> {
  const { rows } = await sql<Selectable<ReservationsTable>>`
    with moved as (
      update reservations set status = 'confirmed', updated_at = ${now}
      where id = ${id} and status = 'reserved'
      returning *
    ), stock as (
      update stock_levels s
      set reserved_stock = s.reserved_stock - m.quantity, sold_stock = s.sold_stock + m.quantity, updated_at = ${now}
      from moved m
      where s.product_id = m.product_id and s.warehouse_id = m.warehouse_id
    )
    select * from moved`.execute(e);
  return rows[0] ? toReservation(rows[0]) : undefined;
}

/** Ids of held reservations past their expiry, oldest first (served by the partial index on expires_at). */
export async function dueReservationIds(e: Executor<any>, before: Date, limit: number): Promise<string[]> {
  const rows = await as(e)
    .selectFrom('reservations')
    .select('id')
    .where('status', '=', 'reserved')
    .where('expires_at', '<', before)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export async function importWarehouses(e: Executor<any>, rows: NewWarehouseRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) await as(e).insertInto('warehouses').values(rows.slice(i, i + IMPORT_CHUNK)).execute();
}

/** Bulk upsert of totals; like upsertTotalStock, never lowers a total below what is reserved or sold. */
export async function importStock(e: Executor<any>, rows: { product_id: string; warehouse_id: string; total_stock: number }[], now: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) {
    await as(e)
      .insertInto('stock_levels')
      .values(rows.slice(i, i + IMPORT_CHUNK).map((r) => ({ ...r, reserved_stock: 0, sold_stock: 0, updated_at: now })))
      .onConflict((oc) =>
        oc
          .columns(['product_id', 'warehouse_id'])
          .doUpdateSet({ total_stock: sql`excluded.total_stock`, updated_at: now })
          .where(sql<boolean>`stock_levels.reserved_stock + stock_levels.sold_stock <= excluded.total_stock`),
      )
      .execute();
  }
}

/**
 * Products whose sellable units over active warehouses are at most `threshold`, fewest
 * first, keyset on (available, product_id). Products never stocked have no rows and are absent.
 */
export async function lowStockPage(e: Executor<any>, threshold: number, after: { available: number; productId: string } | undefined, limit: number) {
  const available = sql<number>`sum(s.total_stock - s.reserved_stock - s.sold_stock)::int`;
  let query = as(e)
    .selectFrom('stock_levels as s')
    .innerJoin('warehouses as w', 'w.id', 's.warehouse_id')
    .select(['s.product_id', available.as('available'), sql<number>`sum(s.total_stock)::int`.as('total'), sql<number>`sum(s.reserved_stock)::int`.as('reserved'), sql<number>`sum(s.sold_stock)::int`.as('sold')])
    .where('w.active', '=', true)
    .groupBy('s.product_id')
    .having(available, '<=', threshold);
  if (after) {
    query = query.having((eb) => eb.or([eb(available, '>', after.available), eb.and([eb(available, '=', after.available), eb('s.product_id', '>', after.productId)])]));
  }
  const rows = await query.orderBy(available).orderBy('s.product_id').limit(limit).execute();
  return rows.map((r) => ({ productId: r.product_id, available: Number(r.available), total: Number(r.total), reserved: Number(r.reserved), sold: Number(r.sold) }));
}
