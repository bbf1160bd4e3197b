import { sql, type Generated, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { Order, OrderItem, OrderStatus, ShippingAddressSnapshot, StatusChange } from './orders.types.ts';

export interface OrdersTable {
  id: string;
  customer_id: string;
  status: OrderStatus;
  subtotal_amount: number;
  total_amount: number;
  currency: string;
  shipping_address: ShippingAddressSnapshot;
  payment_id: string;
  idempotency_key: string;
  estimated_delivery: string;
  placed_at: Date;
  updated_at: Date;
  cancelled_at: Date | null;
  cancel_reason: string | null;
  refund_status: Generated<'none' | 'pending' | 'done'>;
  packing_started: Generated<boolean>;
}

export interface OrderItemsTable {
  id: string;
  order_id: string;
  product_id: string;
  warehouse_id: string;
  quantity: number;
  unit_price: number;
  currency: string;
  title: string;
  reservation_id: string;
}

export interface OrderStatusHistoryTable {
  id: Generated<number>;
  order_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string | null;
  occurred_at: Date;
}

export interface OrdersTables {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_status_history: OrderStatusHistoryTable;
}

const as = (e: Executor<any>) => e as Executor<OrdersTables>;

export const toOrder = (r: Selectable<OrdersTable>): Order => ({
  id: r.id,
  customerId: r.customer_id,
  status: r.status,
  subtotal: r.subtotal_amount,
  total: r.total_amount,
  currency: r.currency.trim(),
  shippingAddress: r.shipping_address,
  paymentId: r.payment_id,
  idempotencyKey: r.idempotency_key,
  estimatedDelivery: r.estimated_delivery,
  placedAt: r.placed_at,
  updatedAt: r.updated_at,
  cancelledAt: r.cancelled_at,
  cancelReason: r.cancel_reason,
  refundStatus: r.refund_status,
});

const toItem = (r: Selectable<OrderItemsTable>): OrderItem => ({
  id: r.id,
  productId: r.product_id,
  warehouseId: r.warehouse_id,
  quantity: r.quantity,
  unitPrice: r.unit_price,
  currency: r.currency.trim(),
  title: r.title,
  reservationId: r.reservation_id,
});

/**
 * Inserts the order with its items and first status in one statement, once: undefined if an
 * order with this id already existed (then nothing is written).
 */
export async function insertPlacedOrder(
  e: Executor<any>,
  row: Omit<Selectable<OrdersTable>, 'refund_status' | 'packing_started'>,
  items: OrderItemsTable[],
): Promise<Order | undefined> {
  const values = sql.join(
    items.map(
      (i) =>
        sql`(${i.id}::uuid, ${i.product_id}::uuid, ${i.warehouse_id}::uuid, ${i.quantity}::int, ${i.unit_price}::int, ${i.currency}::text, ${i.title}::text, ${i.reservation_id}::uuid)`,
    ),
  );
  const { rows } = await sql<Selectable<OrdersTable>>`
    with o as (
      insert into orders (id, customer_id, status, subtotal_amount, total_amount, currency, shipping_address, payment_id, idempotency_key, estimated_delivery, placed_at, updated_at, cancelled_at, cancel_reason)
      values (${row.id}, ${row.customer_id}, ${row.status}, ${row.subtotal_amount}, ${row.total_amount}, ${row.currency}, ${JSON.stringify(row.shipping_address)}::jsonb, ${row.payment_id},
        ${row.idempotency_key}, ${row.estimated_delivery}, ${row.placed_at}, ${row.updated_at}, ${row.cancelled_at}, ${row.cancel_reason})
      on conflict (id) do nothing
      returning *
    ), items as (
      insert into order_items (id, order_id, product_id, warehouse_id, quantity, unit_price, currency, title, reservation_id)
      select v.id, o.id, v.product_id, v.warehouse_id, v.quantity, v.unit_price, v.currency, v.title, v.reservation_id
      from o, (values ${values}) as v (id, product_id, warehouse_id, quantity, unit_price, currency, title, reservation_id)
    ), history as (
      insert into order_status_history (order_id, from_status, to_status, reason, occurred_at)
      select o.id, null, o.status, null, o.placed_at from o
    )
    select * from o`.execute(e);
  return rows[0] ? toOrder(rows[0]) : undefined;
}

export async function insertHistory(e: Executor<any>, orderId: string, from: OrderStatus | null, to: OrderStatus, reason: string | null, at: Date) {
  await as(e).insertInto('order_status_history').values({ order_id: orderId, from_status: from, to_status: to, reason, occurred_at: at }).execute();
}

export async function findOrder(e: Executor<any>, id: string) {
  const row = await as(e).selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOrder(row) : undefined;
}

export async function listItems(e: Executor<any>, orderId: string) {
  return (await as(e).selectFrom('order_items').selectAll().where('order_id', '=', orderId).orderBy('id').execute()).map(toItem);
}

export async function listHistory(e: Executor<any>, orderId: string): Promise<StatusChange[]> {
  const rows = await as(e).selectFrom('order_status_history').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
  return rows.map((r) => ({ from: r.from_status, to: r.to_status, reason: r.reason, occurredAt: r.occurred_at }));
}

export async function listOrdersPage(e: Executor<any>, customerId: string, after: { placedAt: Date; id: string } | undefined, limit: number) {
  let query = as(e).selectFrom('orders').selectAll().where('customer_id', '=', customerId);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('placed_at', '<', after.placedAt), eb.and([eb('placed_at', '=', after.placedAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  return rows.map(toOrder);
}

/**
 * Conditional status change: applies only when the order is in one of `from` (and, with
 * `notPacking`, only while packing has not begun).
 */
export async function transitionOrder(
  e: Executor<any>,
  id: string,
  from: OrderStatus[],
  changes: Pick<Updateable<OrdersTable>, 'status' | 'cancelled_at' | 'cancel_reason' | 'refund_status'> & { updated_at: Date },
  guard: { notPacking?: boolean } = {},
) {
  let query = as(e).updateTable('orders').set(changes).where('id', '=', id).where('status', 'in', from);
  if (guard.notPacking) query = query.where('packing_started', '=', false);
  const row = await query.returningAll().executeTakeFirst();
  return row ? toOrder(row) : undefined;
}

/** Sets `packing_started` unless the order is cancelled; returns whether it did. */
export async function startPacking(e: Executor<any>, id: string): Promise<boolean> {
  const result = await as(e).updateTable('orders').set({ packing_started: true }).where('id', '=', id).where('status', '<>', 'cancelled').executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Returns the order when this call recorded the refund, undefined when it was already recorded. */
export async function markRefundDone(e: Executor<any>, id: string, at: Date) {
  const row = await as(e)
    .updateTable('orders')
    .set({ refund_status: 'done', updated_at: at })
    .where('id', '=', id)
    .where('refund_status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
  return row ? toOrder(row) : undefined;
}

export async function listPendingRefunds(e: Executor<any>, olderThan: Date, limit: number) {
  const rows = await as(e)
    .selectFrom('orders')
    .selectAll()
    .where('refund_status', '=', 'pending')
    .where('updated_at', '<', olderThan)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map(toOrder);
}

/** Units ordered per product since a time (cancelled orders excluded), most first. */
export async function topProductsSince(e: Executor<OrdersTables>, since: Date, limit: number): Promise<{ productId: string; units: number }[]> {
  const rows = await e
    .selectFrom('order_items')
    .innerJoin('orders', 'orders.id', 'order_items.order_id')
    .select(['order_items.product_id', (eb) => eb.fn.sum<number>('order_items.quantity').as('units')])
    .where('orders.status', '!=', 'cancelled')
    .where('orders.placed_at', '>=', since)
    .groupBy('order_items.product_id')
    .orderBy('units', 'desc')
    .orderBy('order_items.product_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ productId: r.product_id, units: Number(r.units) }));
}
