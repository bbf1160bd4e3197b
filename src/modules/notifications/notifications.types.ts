import type { Transaction } from 'kysely';

/** One per customer-visible state change. */
export type NotificationKind = 'order_placed' | 'shipment_shipped' | 'shipment_delivered' | 'order_cancelled' | 'order_refunded';

export interface Notification {
  id: string;
  customerId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  orderId: string;
  shipmentId: string | null;
  /** Structured facts the text was rendered from (tracking number, amounts, dates). */
  data: Record<string, unknown>;
  /** The event it was rendered from: at most one notification per event. */
  sourceEventId: string;
  /** When the change happened. */
  occurredAt: Date;
  createdAt: Date;
}

/**
 * Where a notification goes (the inbox table, e-mail, push…). `deliver` runs inside the
 * notification consumer's transaction, once per event: a throw rolls the whole
 * notification back and the event is retried. A channel that talks to the outside world
 * should therefore queue its message in `trx` and send it from its own job, or be
 * idempotent by `notification.id`.
 */
export interface NotificationChannel {
  readonly name: string;
  deliver(notification: Notification, trx: Transaction<any>): Promise<void>;
}
