import { Type } from 'typebox';
import type { Notification } from '../../modules/notifications/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { PageQuery, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const NotificationSchema = Type.Object({
  id: Uuid,
  kind: Type.Union(['order_placed', 'shipment_shipped', 'shipment_delivered', 'order_cancelled', 'order_refunded'].map((k) => Type.Literal(k))),
  title: Type.String(),
  body: Type.String(),
  order_id: Uuid,
  shipment_id: Type.Union([Uuid, Type.Null()]),
  data: Type.Record(Type.String(), Type.Unknown()),
  occurred_at: Timestamp,
  created_at: Timestamp,
});

const present = (n: Notification) => ({
  id: n.id,
  kind: n.kind,
  title: n.title,
  body: n.body,
  order_id: n.orderId,
  shipment_id: n.shipmentId,
  data: n.data,
  occurred_at: n.occurredAt.toISOString(),
  created_at: n.createdAt.toISOString(),
});

export const notificationRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { notifications } = ctx.services;
  app.get(
    '/v1/notifications',
    {
      preHandler: requireAuth(),
      schema: {
        tags: ['notifications'],
        security: bearerSecurity,
        operationId: 'listNotifications',
        summary: 'My notifications (order placed, shipped with tracking, delivered, cancelled and refunded), newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ notifications: Type.Array(NotificationSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, { 400: ['invalid_cursor'], 401: ['unauthenticated'] }),
      },
    },
    async (request) => {
      const page = await notifications.list(principalOf(request), request.query.cursor, request.query.limit ?? 20);
      return { notifications: page.notifications.map(present), next_cursor: page.nextCursor };
    },
  );
};
