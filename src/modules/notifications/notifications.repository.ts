import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { NotificationsTable, NotificationsTables } from './notifications.tables.ts';
import type { Notification, NotificationKind } from './notifications.types.ts';

const as = (e: Executor<any>) => e as Executor<NotificationsTables>;

const toNotification = (r: Selectable<NotificationsTable>): Notification => ({
  id: r.id,
  customerId: r.customer_id,
  kind: r.kind as NotificationKind,
  title: r.title,
  body: r.body,
  orderId: r.order_id,
  shipmentId: r.shipment_id,
  data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, unknown>,
  sourceEventId: r.source_event_id,
  occurredAt: r.occurred_at,
  createdAt: r.created_at,
});

/** Stores a notification unless one for the same event exists; returns whether it was stored. */
export async function insertNotification(e: Executor<any>, n: Notification): Promise<boolean> {
  const row = await as(e)
    .insertInto('notifications')
    .values({
      id: n.id,
      customer_id: n.customerId,
      kind: n.kind,
      title: n.title,
      body: n.body,
      order_id: n.orderId,
      shipment_id: n.shipmentId,
      data: JSON.stringify(n.data) as never,
      source_event_id: n.sourceEventId,
      occurred_at: n.occurredAt,
      created_at: n.createdAt,
    })
    .onConflict((oc) => oc.column('source_event_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** A customer's notifications, newest first, one page after the keyset `after`. */
export async function listPage(e: Executor<any>, customerId: string, after: { createdAt: Date; id: string } | undefined, limit: number): Promise<Notification[]> {
  let query = as(e).selectFrom('notifications').selectAll().where('customer_id', '=', customerId);
  if (after) {
    query = query.where((eb) =>
      eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toNotification);
}
