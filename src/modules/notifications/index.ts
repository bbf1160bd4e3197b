import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_notifications.ts';

export { NotificationsService, StoreChannel, NOTIFICATIONS_CONSUMER } from './notifications.service.ts';
export { renderNotification, NOTIFYING_EVENT_TYPES, type RenderedNotification } from './notifications.render.ts';
export type { Notification, NotificationChannel, NotificationKind } from './notifications.types.ts';

export const notificationsSchema: ModuleSchema = { module: 'notifications', domain: 'main', migrations: { '0001_notifications': m0001 } };
