import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { FulfillmentTables, ShipmentsTable } from './fulfillment.tables.ts';
import type { Shipment, ShipmentStatusChange } from './fulfillment.types.ts';
import type { ShipmentStatus } from './shipment-states.ts';

const as = (e: Executor<any>) => e as Executor<FulfillmentTables>;

const parseJson = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export type ShipmentRow = Selectable<ShipmentsTable>;

export const toShipment = (r: ShipmentRow): Shipment => ({
  id: r.id,
  orderId: r.order_id,
  customerId: r.customer_id,
  warehouseId: r.warehouse_id,
  status: r.status,
  carrier: r.carrier,
  trackingNumber: r.tracking_number,
  items: parseJson<ShipmentRow['items']>(r.items).map((i) => ({ productId: i.product_id, title: i.title, quantity: i.quantity })),
  estimatedDelivery: r.estimated_delivery,
  createdAt: r.created_at,
  statusChangedAt: r.status_changed_at,
  shippedAt: r.shipped_at,
  deliveredAt: r.delivered_at,
  cancelledAt: r.cancelled_at,
});

/** Inserts the shipments that do not exist yet (by order and warehouse); returns the inserted ones. */
export async function insertShipments(e: Executor<any>, rows: ShipmentRow[]): Promise<ShipmentRow[]> {
  if (rows.length === 0) return [];
  return as(e)
    .insertInto('shipments')
    .values(rows.map((r) => ({ ...r, items: JSON.stringify(r.items) as never, route: (r.route ? JSON.stringify(r.route) : null) as never })))
    .onConflict((oc) => oc.columns(['order_id', 'warehouse_id']).doNothing())
    .returningAll()
    .execute();
}

export async function insertHistory(
  e: Executor<any>,
  row: { shipmentId: string; from: ShipmentStatus | null; to: ShipmentStatus; source: string; occurredAt: Date; recordedAt: Date; reportedOccurredAt?: Date | null },
): Promise<void> {
  await as(e)
    .insertInto('shipment_status_history')
    .values({
      shipment_id: row.shipmentId,
      from_status: row.from,
      to_status: row.to,
      source: row.source,
      occurred_at: row.occurredAt,
      recorded_at: row.recordedAt,
      reported_occurred_at: row.reportedOccurredAt ?? null,
    })
    .execute();
}

/** When the shipment's latest recorded step happened (its history's last time). */
export async function findLastStepAt(e: Executor<any>, shipmentId: string): Promise<Date | undefined> {
  const row = await as(e)
    .selectFrom('shipment_status_history')
    .select('occurred_at')
    .where('shipment_id', '=', shipmentId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.occurred_at;
}

export async function findShipment(e: Executor<any>, id: string): Promise<ShipmentRow | undefined> {
  return as(e).selectFrom('shipments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findByTracking(e: Executor<any>, carrier: string, trackingNumber: string): Promise<ShipmentRow | undefined> {
  return as(e).selectFrom('shipments').selectAll().where('carrier', '=', carrier).where('tracking_number', '=', trackingNumber).executeTakeFirst();
}

/** Shipments whose tracking number is this one, ignoring letter case (one per carrier at most). */
export async function listByTrackingNumber(e: Executor<any>, trackingNumber: string): Promise<ShipmentRow[]> {
  return as(e)
    .selectFrom('shipments')
    .selectAll()
    .where(sql<boolean>`upper(tracking_number) = ${trackingNumber.toUpperCase()}`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(20)
    .execute();
}

export async function listByOrder(e: Executor<any>, orderId: string): Promise<ShipmentRow[]> {
  return as(e).selectFrom('shipments').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}

export async function listHistory(e: Executor<any>, shipmentIds: string[]): Promise<Map<string, ShipmentStatusChange[]>> {
  const result = new Map<string, ShipmentStatusChange[]>(shipmentIds.map((id) => [id, []]));
  if (shipmentIds.length === 0) return result;
  const rows = await as(e).selectFrom('shipment_status_history').selectAll().where('shipment_id', 'in', shipmentIds).orderBy('id').execute();
  for (const r of rows) {
    result.get(r.shipment_id)?.push({
      from: r.from_status,
      to: r.to_status,
      source: r.source,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      reportedOccurredAt: r.reported_occurred_at ?? null,
    });
  }
  return result;
}

export type StatusChanges = Partial<Pick<ShipmentRow, 'carrier' | 'tracking_number' | 'estimated_delivery' | 'shipped_at' | 'delivered_at' | 'cancelled_at'>>;

/** Conditional transition: applies only if the shipment is still in `from`. */
export async function updateStatus(
  e: Executor<any>,
  id: string,
  from: ShipmentStatus,
  to: ShipmentStatus,
  at: Date,
  changes: StatusChanges = {},
): Promise<ShipmentRow | undefined> {
  return as(e)
    .updateTable('shipments')
    .set({ ...changes, status: to, status_changed_at: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

/** An order's shipments in the given statuses, locked until the transaction ends. */
export async function lockByOrderAndStatus(e: Executor<any>, orderId: string, statuses: readonly ShipmentStatus[]): Promise<ShipmentRow[]> {
  return as(e)
    .selectFrom('shipments')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('status', 'in', [...statuses])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Open shipments that have spent at least `minAgeMs[status]` in their status, oldest first. */
export async function listDue(e: Executor<any>, now: Date, minAgeMs: Record<'pending' | 'picked' | 'packed' | 'shipped', number>, limit: number): Promise<ShipmentRow[]> {
  const cutoff = (ms: number) => new Date(now.getTime() - ms);
  return as(e)
    .selectFrom('shipments')
    .selectAll()
    .where((eb) =>
      eb.or(
        (Object.entries(minAgeMs) as [ShipmentStatus, number][]).map(([status, ms]) =>
          eb.and([eb('status', '=', status), eb('status_changed_at', '<=', cutoff(ms))]),
        ),
      ),
    )
    .orderBy('status_changed_at')
    .limit(limit)
    .execute();
}

/** Records a webhook delivery id; false when it was seen before (a replay or a retry). */
export async function insertReceipt(e: Executor<any>, receipt: { carrier: string; deliveryId: string; shipmentId: string; at: Date }): Promise<boolean> {
  const row = await as(e)
    .insertInto('webhook_receipts')
    .values({ carrier: receipt.carrier, delivery_id: receipt.deliveryId, shipment_id: receipt.shipmentId, received_at: receipt.at })
    .onConflict((oc) => oc.columns(['carrier', 'delivery_id']).doNothing())
    .returning('delivery_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function hasReceipt(e: Executor<any>, carrier: string, deliveryId: string): Promise<boolean> {
  const row = await as(e).selectFrom('webhook_receipts').select('delivery_id').where('carrier', '=', carrier).where('delivery_id', '=', deliveryId).executeTakeFirst();
  return row !== undefined;
}

export async function deleteReceiptsBefore(e: Executor<any>, before: Date): Promise<number> {
  const result = await as(e).deleteFrom('webhook_receipts').where('received_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
