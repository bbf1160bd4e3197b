import { Type } from 'typebox';
import type { Order, OrderDetail } from '../../modules/orders/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, Money, PageQuery, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';
import { presentShipment, ShipmentSchema } from './fulfillment.routes.ts';

export const OrderStatus = Type.Union(['placed', 'processing', 'packed', 'shipped', 'delivered', 'cancelled'].map((s) => Type.Literal(s)));

export const OrderSummary = Type.Object({
  id: Uuid,
  status: OrderStatus,
  total: Money,
  item_count: Type.Optional(Type.Integer()),
  estimated_delivery: Type.String({ format: 'date' }),
  placed_at: Timestamp,
  cancelled_at: Type.Union([Timestamp, Type.Null()]),
  refund_status: Type.String(),
});

export const OrderDetailSchema = Type.Object({
  order: Type.Intersect([
    OrderSummary,
    Type.Object({ shipping_address: Type.Record(Type.String(), Type.Unknown()), cancel_reason: Type.Union([Type.String(), Type.Null()]) }),
  ]),
  items: Type.Array(
    Type.Object({ product_id: Uuid, warehouse_id: Uuid, title: Type.String(), quantity: Type.Integer(), unit_price: Money, line_total: Money }),
  ),
  shipments: Type.Array(ShipmentSchema),
  status_history: Type.Array(Type.Object({ from: Type.Union([Type.String(), Type.Null()]), to: Type.String(), reason: Type.Union([Type.String(), Type.Null()]), at: Timestamp })),
});

export const summary = (o: Order) => ({
  id: o.id,
  status: o.status,
  total: { amount: o.total, currency: o.currency },
  estimated_delivery: o.estimatedDelivery,
  placed_at: o.placedAt.toISOString(),
  cancelled_at: o.cancelledAt?.toISOString() ?? null,
  refund_status: o.refundStatus,
});

export const presentOrderDetail = (o: OrderDetail, shipments: ReturnType<typeof presentShipment>[]) => ({
  order: { ...summary(o), item_count: o.items.reduce((n, i) => n + i.quantity, 0), shipping_address: { ...o.shippingAddress }, cancel_reason: o.cancelReason },
  items: o.items.map((i) => ({
    product_id: i.productId,
    warehouse_id: i.warehouseId,
    title: i.title,
    quantity: i.quantity,
    unit_price: { amount: i.unitPrice, currency: i.currency },
    line_total: { amount: i.unitPrice * i.quantity, currency: i.currency },
  })),
  shipments,
  status_history: o.history.map((h) => ({ from: h.from, to: h.to, reason: h.reason, at: h.occurredAt.toISOString() })),
});

export const orderRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { orders, cancellation, fulfillment } = ctx.services;
  const common = { preHandler: requireAuth(), schema: { tags: ['orders'], security: bearerSecurity } };
  // Only called after getOrder, which answers 404 for anyone else's order.
  const shipmentsOf = async (orderId: string) => (await fulfillment.listForOrder(orderId)).map(presentShipment);

  app.get(
    '/v1/orders',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'listOrders',
        summary: 'My orders, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ orders: Type.Array(OrderSummary), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, { 400: ['invalid_cursor'], 401: ['unauthenticated'] }),
      },
    },
    async (request) => {
      const page = await orders.listOrders(principalOf(request), request.query.cursor, request.query.limit ?? 20);
      return { orders: page.orders.map(summary), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/orders/:id',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'getOrder',
        summary: 'One of my orders with items, shipments and status history',
        params: IdParams,
        response: responses({ 200: OrderDetailSchema }, { 401: ['unauthenticated'], 404: ['order_not_found'] }),
      },
    },
    async (request) => {
      const order = await orders.getOrder(principalOf(request), request.params.id);
      return presentOrderDetail(order, await shipmentsOf(order.id));
    },
  );

  app.post(
    '/v1/orders/:id/cancel',
    {
      ...common,
      // The body is optional; an absent one is validated as {}.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        ...common.schema,
        operationId: 'cancelOrder',
        summary: 'Cancel an order before it is packed: units return to stock and the payment is refunded (idempotent)',
        params: IdParams,
        body: Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false, examples: [{ reason: 'Ordered the wrong size' }] }),
        response: responses({ 200: OrderDetailSchema }, { 401: ['unauthenticated'], 404: ['order_not_found'], 409: ['order_not_cancellable'] }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await cancellation.cancel(principal, request.params.id, request.body.reason ?? 'requested by customer');
      const order = await orders.getOrder(principal, request.params.id);
      return presentOrderDetail(order, await shipmentsOf(order.id));
    },
  );
};
