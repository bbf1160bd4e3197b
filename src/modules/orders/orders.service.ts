import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import { appendToOutbox, EventTypes } from '../events/index.ts';
import * as repo from './orders.repository.ts';
import * as staff from './orders.staff.repository.ts';
import type { NewOrder, Order, OrderDetail, OrderStatus, SalesFigures } from './orders.types.ts';

export type { StaffOrderFilter } from './orders.staff.repository.ts';

export const orderNotFound = (id: string) => notFound('order', id);

function assertStaff(principal: Principal): void {
  if (principal.role !== 'admin') throw forbidden('Only staff (admins) see every order');
}

/** Statuses from which a customer may still cancel: nothing has been packed yet. */
const OrdersCursor = cursorCodec({ p: 'timestamp', i: 'uuid' });

export const CANCELLABLE: OrderStatus[] = ['placed', 'processing'];

/**
 * Orders: the financial record of a purchase. An order is written once, with its
 * items, first status and `orders.order.placed` event in one transaction.
 *
 * Error codes: `order_not_found` (404, also for another customer's order),
 * `order_not_cancellable` (409).
 */
export class OrdersService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
  ) {}

  /** Creates the order if it does not exist yet (the id is the checkout's); returns it either way. */
  async placeOrder(input: NewOrder): Promise<{ order: Order; created: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const subtotal = input.items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);
      const now = this.clock.now();
      const inserted = await repo.insertPlacedOrder(
        trx,
        {
          id: input.id,
          customer_id: input.customerId,
          status: 'placed',
          subtotal_amount: subtotal,
          total_amount: subtotal,
          currency: input.currency,
          shipping_address: input.shippingAddress,
          payment_id: input.paymentId,
          idempotency_key: input.idempotencyKey,
          estimated_delivery: input.estimatedDelivery,
          placed_at: input.placedAt,
          updated_at: now,
          cancelled_at: null,
          cancel_reason: null,
        },
        input.items.map((item) => ({
          id: newId(),
          order_id: input.id,
          product_id: item.productId,
          warehouse_id: item.warehouseId,
          quantity: item.quantity,
          unit_price: item.unitPrice,
          currency: item.currency,
          title: item.title,
          reservation_id: item.reservationId,
        })),
      );
      if (inserted) {
        await appendToOutbox(trx, {
          type: EventTypes.orderPlaced,
          aggregateType: 'order',
          aggregateId: input.id,
          payload: {
            order_id: input.id,
            customer_id: input.customerId,
            items: input.items.map((i) => ({ product_id: i.productId, warehouse_id: i.warehouseId, quantity: i.quantity, unit_price: i.unitPrice, title: i.title })),
            total: subtotal,
            currency: input.currency,
            shipping_address: { ...input.shippingAddress },
            estimated_delivery: input.estimatedDelivery,
            placed_at: input.placedAt.toISOString(),
          },
        });
      }
      return inserted ? { order: inserted, created: true } : { order: (await repo.findOrder(trx, input.id))!, created: false };
    });
  }

  async findOrder(id: string): Promise<Order | undefined> {
    return repo.findOrder(this.db, id);
  }

  /** The principal's own order (admins: any); anyone else's is reported as not found. */
  async getOrder(principal: Principal, id: string): Promise<OrderDetail> {
    const order = await repo.findOrder(this.db, id);
    if (!order || (order.customerId !== principal.accountId && principal.role !== 'admin')) throw orderNotFound(id);
    const [items, history] = await Promise.all([repo.listItems(this.db, id), repo.listHistory(this.db, id)]);
    return { ...order, items, history };
  }

  /** The principal's orders, newest first, keyset-paginated. */
  async listOrders(principal: Principal, cursor: string | undefined, limit: number): Promise<{ orders: Order[]; nextCursor: string | null }> {
    const after = cursor ? OrdersCursor.decode(cursor) : undefined;
    const rows = await repo.listOrdersPage(this.db, principal.accountId, after ? { placedAt: after.p, id: after.i } : undefined, limit);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { orders: page, nextCursor: rows.length > limit && last ? OrdersCursor.encode({ p: last.placedAt, i: last.id }) : null };
  }

  /**
   * Every customer's orders for staff (admins only), newest first, keyset-paginated with the
   * same cursor as "my orders". Error codes: `forbidden`, `invalid_cursor`.
   */
  async listAllOrders(principal: Principal, filter: staff.StaffOrderFilter, cursor: string | undefined, limit: number): Promise<{ orders: Order[]; nextCursor: string | null }> {
    assertStaff(principal);
    const after = cursor ? OrdersCursor.decode(cursor) : undefined;
    const rows = await staff.listOrdersForStaff(this.db, filter, after ? { placedAt: after.p, id: after.i } : undefined, limit);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { orders: page, nextCursor: rows.length > limit && last ? OrdersCursor.encode({ p: last.placedAt, i: last.id }) : null };
  }

  /**
   * Sales in [from, to) for the dashboard (admins only): per UTC day (or hour), totals, average order
   * value and best sellers, in `currency` or else the currency most orders used.
   */
  async salesFigures(principal: Principal, range: { from: Date; to: Date; currency?: string; top?: number; bucket?: staff.Bucket }): Promise<SalesFigures> {
    assertStaff(principal);
    const currency = range.currency ?? (await staff.dominantCurrency(this.db, range.from, range.to)) ?? 'USD';
    const [days, topProducts] = await Promise.all([
      staff.dailyFigures(this.db, range.from, range.to, currency, range.bucket ?? 'day'),
      staff.topSellers(this.db, range.from, range.to, currency, Math.min(Math.max(Math.trunc(range.top ?? 5), 1), 50)),
    ]);
    const orders = days.reduce((n, d) => n + d.orders, 0);
    const cancelled = days.reduce((n, d) => n + d.cancelled, 0);
    const revenue = days.reduce((n, d) => n + d.revenue, 0);
    const kept = orders - cancelled;
    return { currency, days, orders, cancelled, revenue, averageOrderValue: kept > 0 ? Math.round(revenue / kept) : 0, topProducts };
  }

  /**
   * Marks the order cancelled (only before it is packed; the conditional update makes a
   * cancel racing a pack have exactly one winner) and records that its refund is due.
   * Returns `alreadyCancelled` when repeated, so callers stay idempotent.
   */
  async markCancelled(principal: Principal, id: string, reason: string): Promise<{ order: Order; alreadyCancelled: boolean }> {
    return this.db.transaction().execute(async (trx) => {
      const current = await repo.findOrder(trx, id);
      if (!current || (current.customerId !== principal.accountId && principal.role !== 'admin')) throw orderNotFound(id);
      if (current.status === 'cancelled') return { order: current, alreadyCancelled: true };
      const now = this.clock.now();
      const order = await repo.transitionOrder(
        trx,
        id,
        CANCELLABLE,
        { status: 'cancelled', cancelled_at: now, cancel_reason: reason, refund_status: 'pending', updated_at: now },
        { notPacking: true },
      );
      if (!order) {
        // A concurrent cancel may have won the row: under READ COMMITTED this read sees its commit.
        const latest = await repo.findOrder(trx, id);
        if (latest?.status === 'cancelled') return { order: latest, alreadyCancelled: true };
        throw conflict('order_not_cancellable', `Order is ${current.status} and can no longer be cancelled: packing has begun`, {
          status: current.status,
        });
      }
      await repo.insertHistory(trx, id, current.status, 'cancelled', reason, now);
      await appendToOutbox(trx, {
        type: EventTypes.orderCancelled,
        aggregateType: 'order',
        aggregateId: id,
        payload: { order_id: id, customer_id: order.customerId, reason, refund_amount: order.total, currency: order.currency, cancelled_at: now.toISOString() },
      });
      return { order, alreadyCancelled: false };
    });
  }

  /**
   * Records that packing of the order began, unless it is cancelled: one conditional
   * UPDATE on the order row. From then on `markCancelled` answers `order_not_cancellable`,
   * so a cancel racing a pack has exactly one winner. Returns false for a cancelled (or
   * unknown) order; repeating it for an order being packed returns true.
   */
  async beginPacking(orderId: string): Promise<boolean> {
    return repo.startPacking(this.db, orderId);
  }

  /** Records that a cancelled order's money went back, with an `orders.order.refunded` event the first time only. */
  async markRefunded(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      const order = await repo.markRefundDone(trx, id, now);
      if (!order) return;
      await appendToOutbox(trx, {
        type: EventTypes.orderRefunded,
        aggregateType: 'order',
        aggregateId: id,
        payload: { order_id: id, customer_id: order.customerId, amount: order.total, currency: order.currency, refunded_at: now.toISOString() },
      });
    });
  }

  /** Cancelled orders whose stock return / refund has not been confirmed, for the recovery pass. */
  async listPendingRefunds(olderThan: Date, limit = 100): Promise<Order[]> {
    return repo.listPendingRefunds(this.db, olderThan, limit);
  }

  /**
   * Moves an order along the fulfillment path (`from` guards the transition), with history
   * and an `orders.order.status_changed` event. Returns undefined when the guard failed.
   */
  async changeStatus(id: string, from: OrderStatus[], to: OrderStatus, reason: string | null = null): Promise<Order | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const current = await repo.findOrder(trx, id);
      if (!current || !from.includes(current.status)) return undefined;
      const now = this.clock.now();
      const order = await repo.transitionOrder(trx, id, [current.status], { status: to, updated_at: now });
      if (!order) return undefined;
      await repo.insertHistory(trx, id, current.status, to, reason, now);
      await appendToOutbox(trx, {
        type: EventTypes.orderStatusChanged,
        aggregateType: 'order',
        aggregateId: id,
        payload: { order_id: id, customer_id: order.customerId, from: current.status, to, occurred_at: now.toISOString() },
      });
      return order;
    });
  }

  /** Units of each product this customer ordered (not cancelled) since `since`, for purchase limits. */
  /** The most ordered products since a time, by units (cache warming before a sale). */
  async topProductsSince(since: Date, limit: number): Promise<{ productId: string; units: number }[]> {
    return repo.topProductsSince(this.db, since, Math.min(Math.max(Math.trunc(limit), 1), 100_000));
  }

  async unitsOrderedSince(customerId: string, productIds: string[], since: Date): Promise<Map<string, number>> {
    if (productIds.length === 0) return new Map();
    const rows = await (this.db as Kysely<repo.OrdersTables>)
      .selectFrom('order_items')
      .innerJoin('orders', 'orders.id', 'order_items.order_id')
      .select(['order_items.product_id', (eb) => eb.fn.sum<number>('order_items.quantity').as('units')])
      .where('orders.customer_id', '=', customerId)
      .where('orders.status', '!=', 'cancelled')
      .where('orders.placed_at', '>=', since)
      .where('order_items.product_id', 'in', productIds)
      .groupBy('order_items.product_id')
      .execute();
    return new Map(rows.map((r) => [r.product_id, Number(r.units)]));
  }
}
