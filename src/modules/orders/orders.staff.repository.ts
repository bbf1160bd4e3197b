import { sql } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import { isUuid } from '../../platform/ids.ts';
import { toOrder, type OrdersTables } from './orders.repository.ts';
import type { OrderStatus } from './orders.types.ts';

/** What staff may filter the list of all orders by (every field optional, combined with AND). */
export interface StaffOrderFilter {
  status?: OrderStatus;
  /** placed_at >= from */
  from?: Date;
  /** placed_at < to */
  to?: Date;
  customerId?: string;
  /** Orders with at least one item shipped from this warehouse. */
  warehouseId?: string;
  /** A whole order id, or the end of one (the 8-character reference the shop shows). */
  idEndsWith?: string;
}

const as = (e: Executor<any>) => e as Executor<OrdersTables>;

/** Every customer's orders, newest first, keyset on (placed_at, id). */
export async function listOrdersForStaff(e: Executor<any>, filter: StaffOrderFilter, after: { placedAt: Date; id: string } | undefined, limit: number) {
  let query = as(e).selectFrom('orders').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.from) query = query.where('placed_at', '>=', filter.from);
  if (filter.to) query = query.where('placed_at', '<', filter.to);
  if (filter.customerId) query = query.where('customer_id', '=', filter.customerId);
  if (filter.idEndsWith) {
    const tail = filter.idEndsWith.toLowerCase();
    query = isUuid(tail) ? query.where('id', '=', tail) : query.where(sql<boolean>`cast(id as text) like ${`%${tail}`}`);
  }
  if (filter.warehouseId) {
    const warehouseId = filter.warehouseId;
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('order_items').select(sql`1`.as('one')).whereRef('order_items.order_id', '=', 'orders.id').where('order_items.warehouse_id', '=', warehouseId)),
    );
  }
  if (after) {
    query = query.where((eb) => eb.or([eb('placed_at', '<', after.placedAt), eb.and([eb('placed_at', '=', after.placedAt), eb('id', '<', after.id)])]));
  }
  const rows = await query.orderBy('placed_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  return rows.map(toOrder);
}

export interface DailyOrderFigures {
  /** UTC: YYYY-MM-DD per day, YYYY-MM-DDTHH:00 per hour */
  day: string;
  orders: number;
  cancelled: number;
  /** Sum of the totals of orders not cancelled, in minor units. */
  revenue: number;
}

/** The currency most orders in the range were placed in (a shop sells in one, usually). */
export async function dominantCurrency(e: Executor<any>, from: Date, to: Date): Promise<string | undefined> {
  const row = await as(e)
    .selectFrom('orders')
    .select(['currency', (eb) => eb.fn.countAll<string>().as('n')])
    .where('placed_at', '>=', from)
    .where('placed_at', '<', to)
    .groupBy('currency')
    .orderBy('n', 'desc')
    .orderBy('currency')
    .limit(1)
    .executeTakeFirst();
  return row?.currency.trim();
}

const BUCKET_FORMATS = { day: 'YYYY-MM-DD', hour: 'YYYY-MM-DD"T"HH24":00"' } as const;
export type Bucket = keyof typeof BUCKET_FORMATS;

/** Orders, cancellations and revenue per UTC day (or hour) in [from, to), in one currency; empty buckets are absent. */
export async function dailyFigures(e: Executor<any>, from: Date, to: Date, currency: string, bucket: Bucket = 'day'): Promise<DailyOrderFigures[]> {
  const day = sql<string>`to_char(placed_at at time zone 'UTC', ${sql.lit(BUCKET_FORMATS[bucket])})`;
  const rows = await as(e)
    .selectFrom('orders')
    .select([
      day.as('day'),
      sql<string>`count(*)`.as('orders'),
      sql<string>`count(*) filter (where status = 'cancelled')`.as('cancelled'),
      sql<string>`coalesce(sum(total_amount) filter (where status <> 'cancelled'), 0)`.as('revenue'),
    ])
    .where('placed_at', '>=', from)
    .where('placed_at', '<', to)
    .where('currency', '=', currency)
    .groupBy(day)
    .orderBy(day)
    .execute();
  return rows.map((r) => ({ day: r.day, orders: Number(r.orders), cancelled: Number(r.cancelled), revenue: Number(r.revenue) }));
}

export interface ProductSales {
  productId: string;
  title: string;
  units: number;
  revenue: number;
}

/** Best-selling products in [from, to) by units (orders not cancelled), with their revenue in `currency`. */
export async function topSellers(e: Executor<any>, from: Date, to: Date, currency: string, limit: number): Promise<ProductSales[]> {
  const rows = await as(e)
    .selectFrom('order_items')
    .innerJoin('orders', 'orders.id', 'order_items.order_id')
    .select([
      'order_items.product_id',
      sql<string>`max(order_items.title)`.as('title'),
      sql<string>`sum(order_items.quantity)`.as('units'),
      sql<string>`sum(order_items.quantity * order_items.unit_price)`.as('revenue'),
    ])
    .where('orders.status', '!=', 'cancelled')
    .where('orders.placed_at', '>=', from)
    .where('orders.placed_at', '<', to)
    .where('order_items.currency', '=', currency)
    .groupBy('order_items.product_id')
    .orderBy('units', 'desc')
    .orderBy('order_items.product_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ productId: r.product_id, title: r.title, units: Number(r.units), revenue: Number(r.revenue) }));
}
