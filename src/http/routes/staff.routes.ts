import { Type } from 'typebox';
import type { Account } from '../../modules/identity/index.ts';
import type { Order, OrderStatus as OrderStatusValue, StaffOrderFilter } from '../../modules/orders/index.ts';
import { invalid } from '../../platform/errors.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, PageQuery, responses, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';
import { AdminShipment, presentShipment } from './fulfillment.routes.ts';
import { OrderDetailSchema, OrderStatus, OrderSummary, presentOrderDetail, summary } from './orders.routes.ts';

const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (UTC)' });
const TRACKING_PATTERN = '^[A-Za-z0-9-]{4,40}$';
const DAY_MS = 86_400_000;

/** The list filters of the console's orders table, shared with its page (one copy of validation). */
export const StaffOrdersQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(OrderStatus),
    from: Type.Optional(Day),
    to: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD (UTC), inclusive' })),
    customer_email: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: "The customer's email, any letter case" })),
    warehouse_id: Type.Optional(Uuid),
    order: Type.Optional(Type.String({ pattern: '^[0-9A-Fa-f-]{4,36}$', description: 'An order id, or its last characters (the reference the shop shows)' })),
  },
  { additionalProperties: false },
);

const Customer = Type.Union([Type.Object({ id: Uuid, email: Type.String(), name: Type.String() }), Type.Null()]);
const StaffOrderSummary = Type.Intersect([OrderSummary, Type.Object({ customer: Customer })]);
const PaymentSchema = Type.Union([
  Type.Object({ id: Uuid, status: Type.String(), amount: Type.Object({ amount: Type.Integer(), currency: Type.String() }), refunded_amount: Type.Integer(), failure_code: Type.Union([Type.String(), Type.Null()]) }),
  Type.Null(),
]);

const presentCustomer = (account: Account | undefined) => (account ? { id: account.id, email: account.email, name: account.name } : null);

const startOfDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

/** Query text → the orders module's filter; an unknown customer email matches nothing. */
export function staffOrderFilter(q: { status?: string; from?: string; to?: string; warehouse_id?: string; order?: string }, customerId?: string): StaffOrderFilter {
  const from = q.from ? startOfDay(q.from) : undefined;
  const to = q.to ? new Date(startOfDay(q.to).getTime() + DAY_MS) : undefined;
  if (from && to && from >= to) throw invalid('invalid_date_range', 'The "to" day must not be before the "from" day', { from: q.from, to: q.to });
  return {
    ...(q.status ? { status: q.status as OrderStatusValue } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(customerId ? { customerId } : {}),
    ...(q.warehouse_id ? { warehouseId: q.warehouse_id } : {}),
    ...(q.order ? { idEndsWith: q.order } : {}),
  };
}

export const staffRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { orders, identity, fulfillment, payments } = ctx.services;
  const admin = { preHandler: requireAuth('admin'), schema: { tags: ['staff'], security: bearerSecurity } };
  const customersOf = async (list: Order[]) => identity.findAccounts(list.map((o) => o.customerId));

  app.get(
    '/v1/admin/orders',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'listAllOrders',
        summary: "Every customer's orders, newest first, with filters (staff)",
        querystring: StaffOrdersQuery,
        response: responses(
          { 200: Type.Object({ orders: Type.Array(StaffOrderSummary), next_cursor: Type.Union([Type.String(), Type.Null()]) }) },
          { 400: ['invalid_cursor', 'invalid_date_range'], 401: ['unauthenticated'], 403: ['forbidden'] },
        ),
      },
    },
    async (request) => {
      const q = request.query;
      let customerId: string | undefined;
      if (q.customer_email !== undefined) {
        customerId = (await identity.findAccountByEmail(q.customer_email))?.id;
        if (!customerId) return { orders: [], next_cursor: null };
      }
      const page = await orders.listAllOrders(principalOf(request), staffOrderFilter(q, customerId), q.cursor, q.limit ?? 20);
      const customers = await customersOf(page.orders);
      return { orders: page.orders.map((o) => ({ ...summary(o), customer: presentCustomer(customers.get(o.customerId)) })), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/admin/orders/:id',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'getOrderForStaff',
        summary: 'Any order with its customer, payment, items, shipments and histories (staff)',
        params: IdParams,
        response: responses(
          { 200: Type.Intersect([OrderDetailSchema, Type.Object({ customer: Customer, payment: PaymentSchema })]) },
          { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['order_not_found'] },
        ),
      },
    },
    async (request) => {
      const order = await orders.getOrder(principalOf(request), request.params.id);
      const [shipments, customers, payment] = await Promise.all([fulfillment.listForOrder(order.id), identity.findAccounts([order.customerId]), payments.findPayment(order.id)]);
      return {
        ...presentOrderDetail(order, shipments.map(presentShipment)),
        customer: presentCustomer(customers.get(order.customerId)),
        payment: payment
          ? { id: payment.id, status: payment.status, amount: { amount: payment.amount, currency: payment.currency }, refunded_amount: payment.refundedAmount, failure_code: payment.failureCode }
          : null,
      };
    },
  );

  app.get(
    '/v1/admin/shipments',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'findShipmentsByTracking',
        summary: 'Shipments with this tracking number, any carrier, any letter case (staff)',
        querystring: Type.Object({ tracking_number: Type.String({ pattern: TRACKING_PATTERN, description: '4-40 letters, digits or dashes' }) }, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ shipments: Type.Array(AdminShipment) }) }, { 401: ['unauthenticated'], 403: ['forbidden'] }),
      },
    },
    async (request) => {
      const found = await fulfillment.findByTrackingNumber(request.query.tracking_number);
      return { shipments: found.map((s) => ({ ...presentShipment(s), order_id: s.orderId })) };
    },
  );
};
