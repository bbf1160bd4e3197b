import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import type { OutboxEvent, TransactionalConsumer } from '../events/index.ts';
import { NOTIFYING_EVENT_TYPES, renderNotification } from './notifications.render.ts';
import * as repo from './notifications.repository.ts';
import type { Notification, NotificationChannel } from './notifications.types.ts';

const NotificationsCursor = cursorCodec({ c: 'timestamp', i: 'uuid' });

export const NOTIFICATIONS_CONSUMER = 'notifications.customer';

/** The default channel: the customer's inbox, read by `GET /v1/notifications`. */
export class StoreChannel implements NotificationChannel {
  readonly name = 'store';
  async deliver(notification: Notification, trx: Transaction<any>): Promise<void> {
    await repo.insertNotification(trx, notification);
  }
}

/**
 * Customer notifications: order placed, a package shipped (with carrier and tracking
 * number) or delivered, order cancelled with its refund. Rendered from events by one
 * transactional consumer, so each event yields at most one notification (applyOnce by
 * event id, and a unique source event id in the table) and every channel sees it once.
 *
 * Error codes: `invalid_cursor` (400).
 */
export class NotificationsService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
    private readonly channels: readonly NotificationChannel[] = [new StoreChannel()],
  ) {}

  /** The consumer to register on the event runtime. */
  consumer(): TransactionalConsumer<(typeof NOTIFYING_EVENT_TYPES)[number]> {
    return {
      name: NOTIFICATIONS_CONSUMER,
      types: NOTIFYING_EVENT_TYPES,
      db: this.db,
      handle: async (event, trx) => {
        await this.notify(event, trx);
      },
    };
  }

  /** Renders and delivers the notification for one event, inside the consumer's transaction; false when the event notifies nobody. */
  async notify(event: OutboxEvent, trx: Transaction<any>): Promise<boolean> {
    const rendered = renderNotification(event);
    if (!rendered) return false;
    const notification: Notification = { ...rendered, id: newId(), createdAt: this.clock.now() };
    for (const channel of this.channels) await channel.deliver(notification, trx);
    return true;
  }

  /** The principal's own notifications, newest first, keyset-paginated. */
  async list(principal: Principal, cursor: string | undefined, limit: number): Promise<{ notifications: Notification[]; nextCursor: string | null }> {
    const after = cursor ? NotificationsCursor.decode(cursor) : undefined;
    const afterKey = after ? { createdAt: after.c, id: after.i } : undefined;
    const rows = await repo.listPage(this.db, principal.accountId, afterKey, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { notifications: page, nextCursor: rows.length > limit && last ? NotificationsCursor.encode({ c: last.createdAt, i: last.id }) : null };
  }
}
