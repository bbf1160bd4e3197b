import { EventTypes, type OutboxEvent } from '../events/index.ts';
import type { Notification } from './notifications.types.ts';

export type RenderedNotification = Omit<Notification, 'id' | 'createdAt'>;

/** The event types that can produce a notification. */
export const NOTIFYING_EVENT_TYPES = [EventTypes.orderPlaced, EventTypes.orderCancelled, EventTypes.orderRefunded, EventTypes.shipmentStatusChanged] as const;

/** Minor units as a customer reads them: 2599 USD → "$25.99", 500 JPY → "¥500". */
export function formatMoney(amount: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency}`;
  }
}

/** "2026-12-01" → "Tue, Dec 1". */
export function formatDate(isoDate: string): string {
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return date.toLocaleDateString('en-US', { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** "parcelway-ground" → "Parcelway Ground". */
export const carrierName = (id: string) =>
  id
    .split(/[-_]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');

const orderRef = (orderId: string) => `#${orderId.slice(-8).toUpperCase()}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The customer notification for an event, or undefined when the event is not one the
 * customer is told about (a shipment being picked or packed, for instance). Pure: the
 * same event always renders the same text.
 */
export function renderNotification(event: OutboxEvent): RenderedNotification | undefined {
  const base = { sourceEventId: event.id, occurredAt: event.occurredAt };
  switch (event.type) {
    case EventTypes.orderPlaced: {
      const p = (event as OutboxEvent<typeof EventTypes.orderPlaced>).payload;
      const units = p.items.reduce((n, i) => n + i.quantity, 0);
      return {
        ...base,
        customerId: p.customer_id,
        kind: 'order_placed',
        orderId: p.order_id,
        shipmentId: null,
        title: `Order ${orderRef(p.order_id)} placed`,
        body: `Thanks for your order of ${plural(units, 'item')} (${formatMoney(p.total, p.currency)}). Estimated delivery: ${formatDate(p.estimated_delivery)}.`,
        data: { total: { amount: p.total, currency: p.currency }, item_count: units, estimated_delivery: p.estimated_delivery.slice(0, 10) },
      };
    }
    case EventTypes.orderCancelled: {
      const p = (event as OutboxEvent<typeof EventTypes.orderCancelled>).payload;
      return {
        ...base,
        customerId: p.customer_id,
        kind: 'order_cancelled',
        orderId: p.order_id,
        shipmentId: null,
        title: `Order ${orderRef(p.order_id)} cancelled`,
        body: `Your order was cancelled (${p.reason}). ${formatMoney(p.refund_amount, p.currency)} is being refunded to your payment method.`,
        data: { reason: p.reason, refund: { amount: p.refund_amount, currency: p.currency } },
      };
    }
    case EventTypes.orderRefunded: {
      const p = (event as OutboxEvent<typeof EventTypes.orderRefunded>).payload;
      return {
        ...base,
        customerId: p.customer_id,
        kind: 'order_refunded',
        orderId: p.order_id,
        shipmentId: null,
        title: `Refund for order ${orderRef(p.order_id)} issued`,
        body: `${formatMoney(p.amount, p.currency)} was refunded to your payment method. Depending on your bank it can take a few business days to appear.`,
        data: { refund: { amount: p.amount, currency: p.currency }, refunded_at: p.refunded_at },
      };
    }
    case EventTypes.shipmentStatusChanged: {
      const p = (event as OutboxEvent<typeof EventTypes.shipmentStatusChanged>).payload;
      const common = { ...base, customerId: p.customer_id, orderId: p.order_id, shipmentId: p.shipment_id };
      const tracking = { carrier: p.carrier ?? null, tracking_number: p.tracking_number ?? null };
      const via = p.carrier ? ` with ${p.carrier_name ?? carrierName(p.carrier)}` : '';
      if (p.to === 'shipped') {
        return {
          ...common,
          kind: 'shipment_shipped',
          title: `A package from order ${orderRef(p.order_id)} has shipped`,
          body:
            `Your package is on its way${via}, tracking number ${p.tracking_number ?? 'pending'}.` +
            (p.estimated_delivery ? ` Estimated delivery: ${formatDate(p.estimated_delivery)}.` : ''),
          data: { ...tracking, estimated_delivery: p.estimated_delivery ?? null },
        };
      }
      if (p.to === 'delivered') {
        return {
          ...common,
          kind: 'shipment_delivered',
          title: `A package from order ${orderRef(p.order_id)} was delivered`,
          body: `Your package${via} (tracking number ${p.tracking_number ?? 'unknown'}) was delivered on ${formatDate(p.occurred_at)}.`,
          data: { ...tracking, delivered_at: p.occurred_at },
        };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
