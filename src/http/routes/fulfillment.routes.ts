import { Type } from 'typebox';
import { REPORTED_STEPS, SIGNATURE_HEADER, TIMESTAMP_HEADER, type ShipmentDetail } from '../../modules/fulfillment/index.ts';
import { AppError } from '../../platform/errors.ts';
import { bearerSecurity, requireAuth } from '../plugins/auth.ts';
import { IdParams, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { FastifyTypebox, RoutesPlugin } from '../types.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const ShipmentStatus = Type.Union(['pending', 'picked', 'packed', 'shipped', 'delivered', 'cancelled'].map((s) => Type.Literal(s)));
const Step = Type.Union(REPORTED_STEPS.map((s) => Type.Literal(s)));
const TrackingNumber = Type.String({ pattern: '^[A-Za-z0-9-]{4,40}$', description: '4-40 letters, digits or dashes' });
const CarrierId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'Carrier id, e.g. parcelway-ground' });

export const ShipmentSchema = Type.Object({
  id: Uuid,
  warehouse_id: Uuid,
  status: ShipmentStatus,
  carrier: Nullable(Type.String()),
  tracking_number: Nullable(Type.String()),
  estimated_delivery: Nullable(Type.String({ format: 'date' })),
  shipped_at: Nullable(Timestamp),
  delivered_at: Nullable(Timestamp),
  cancelled_at: Nullable(Timestamp),
  items: Type.Array(Type.Object({ product_id: Uuid, title: Type.String(), quantity: Type.Integer() })),
  status_history: Type.Array(
    Type.Object({
      from: Nullable(ShipmentStatus),
      to: ShipmentStatus,
      source: Type.String({ description: 'admin, carrier, simulator or system' }),
      at: Type.String({
        format: 'date-time',
        description: "When it happened, as reported; never earlier than the previous step's time (a back-dated report is shown at the previous step's time)",
      }),
      recorded_at: Type.String({ format: 'date-time', description: 'When Bazaar received the report' }),
      reported_occurred_at: Nullable(Type.String({ format: 'date-time', description: 'Only for a back-dated report: the earlier time the reporter claimed' })),
    }),
  ),
});

export const presentShipment = (s: ShipmentDetail) => ({
  id: s.id,
  warehouse_id: s.warehouseId,
  status: s.status,
  carrier: s.carrier,
  tracking_number: s.trackingNumber,
  estimated_delivery: s.estimatedDelivery,
  shipped_at: s.shippedAt?.toISOString() ?? null,
  delivered_at: s.deliveredAt?.toISOString() ?? null,
  cancelled_at: s.cancelledAt?.toISOString() ?? null,
  items: s.items.map((i) => ({ product_id: i.productId, title: i.title, quantity: i.quantity })),
  status_history: s.history.map((h) => ({
    from: h.from,
    to: h.to,
    source: h.source,
    at: h.occurredAt.toISOString(),
    recorded_at: h.recordedAt.toISOString(),
    reported_occurred_at: h.reportedOccurredAt?.toISOString() ?? null,
  })),
});

/** A staff report of a shipment step (the console's form uses the same schema). */
export const ReportStepBody = Type.Object(
  { type: Step, carrier: Type.Optional(CarrierId), tracking_number: Type.Optional(TrackingNumber), occurred_at: Type.Optional(Timestamp) },
  { additionalProperties: false, examples: [{ type: 'shipped', carrier: 'parcelway-ground', tracking_number: 'PG123456789012' }, { type: 'picked' }] },
);

export const AdminShipment = Type.Intersect([ShipmentSchema, Type.Object({ order_id: Uuid })]);
const ReportAnswer = Type.Object({ changed: Type.Boolean({ description: 'false: the shipment already had this status (a repeat)' }), shipment: AdminShipment });

const CarrierEventBody = Type.Object(
  {
    delivery_id: Type.String({ minLength: 1, maxLength: 200, description: "The carrier's id of this delivery; a repeat is acknowledged and ignored" }),
    type: Type.Union([Type.Literal('shipped'), Type.Literal('delivered')]),
    tracking_number: TrackingNumber,
    shipment_id: Type.Optional(Uuid),
    occurred_at: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export const fulfillmentRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { fulfillment, carrierWebhooks } = ctx.services;
  const admin = { preHandler: requireAuth('admin'), schema: { tags: ['fulfillment'], security: bearerSecurity } };

  app.get(
    '/v1/admin/shipments/:id',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'getShipment',
        summary: 'A shipment with its status history',
        params: IdParams,
        response: responses({ 200: AdminShipment }, { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['shipment_not_found'] }),
      },
    },
    async (request) => {
      const shipment = await fulfillment.getShipment(request.params.id);
      return { ...presentShipment(shipment), order_id: shipment.orderId };
    },
  );

  app.post(
    '/v1/admin/shipments/:id/events',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'reportShipmentStep',
        summary: 'Report a warehouse or carrier step (picked, packed, shipped, delivered); a repeated step is a no-op',
        description:
          'Steps follow pending → picked → packed → shipped → delivered; anything else is 409 invalid_shipment_transition. ' +
          'Packing a shipment of a cancelled order is 409 order_cancelled. `shipped` needs carrier and tracking_number.',
        params: IdParams,
        body: ReportStepBody,
        response: responses(
          { 200: ReportAnswer },
          { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['shipment_not_found'], 409: ['invalid_shipment_transition', 'order_cancelled', 'tracking_number_in_use'], 422: ['carrier_not_found', 'carrier_required', 'invalid_occurred_at', 'invalid_tracking_number', 'tracking_number_required'] },
        ),
      },
    },
    async (request) => {
      const b = request.body;
      const { shipment, changed } = await fulfillment.report(request.params.id, {
        type: b.type,
        ...(b.carrier !== undefined ? { carrier: b.carrier } : {}),
        ...(b.tracking_number !== undefined ? { trackingNumber: b.tracking_number } : {}),
        ...(b.occurred_at !== undefined ? { occurredAt: new Date(b.occurred_at) } : {}),
        source: 'admin',
      });
      return { changed, shipment: { ...presentShipment(shipment), order_id: shipment.orderId } };
    },
  );

  // The signature covers the exact bytes sent, so this route (alone) keeps the raw body and parses JSON only after verifying it.
  await app.register(async (scope: FastifyTypebox) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(
      '/v1/webhooks/carriers/:carrier',
      {
        config: { ignoreBearer: true },
        preValidation: async (request) => {
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          carrierWebhooks.verify(request.params.carrier, raw, header(request.headers[SIGNATURE_HEADER]), header(request.headers[TIMESTAMP_HEADER]));
          try {
            (request as { body: unknown }).body = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new AppError('malformed_json', 'invalid', 'The request body is not valid JSON');
          }
        },
        schema: {
          tags: ['fulfillment'],
          operationId: 'receiveCarrierWebhook',
          summary: 'Carrier tracking webhook (HMAC-signed; replays are refused)',
          description:
            `Sign \`<timestamp>.<raw body>\` with HMAC-SHA256 and the carrier's secret; send \`${SIGNATURE_HEADER}: sha256=<hex>\` and ` +
            `\`${TIMESTAMP_HEADER}: <unix seconds>\` (accepted within CARRIER_WEBHOOK_TOLERANCE_SECONDS). A delivery_id already seen is ` +
            'answered 200 with duplicate: true and changes nothing. Bad signature: 401 invalid_signature.',
          params: Type.Object({ carrier: CarrierId }),
          body: CarrierEventBody,
          response: responses(
            { 200: Type.Object({ received: Type.Boolean(), duplicate: Type.Boolean(), changed: Type.Boolean(), shipment_id: Uuid, status: ShipmentStatus }) },
            {
              401: ['invalid_signature', 'signature_expired'],
              404: ['carrier_not_found', 'shipment_not_found'],
              409: ['invalid_shipment_transition', 'order_cancelled', 'tracking_number_in_use'],
              422: ['carrier_not_found', 'carrier_required', 'invalid_occurred_at', 'invalid_tracking_number', 'tracking_number_required'],
            },
          ),
        },
      },
      async (request) => {
        const b = request.body;
        const result = await carrierWebhooks.apply(request.params.carrier, {
          deliveryId: b.delivery_id,
          type: b.type,
          trackingNumber: b.tracking_number,
          ...(b.shipment_id !== undefined ? { shipmentId: b.shipment_id } : {}),
          ...(b.occurred_at !== undefined ? { occurredAt: new Date(b.occurred_at) } : {}),
        });
        return { received: true, duplicate: result.duplicate, changed: result.changed, shipment_id: result.shipment.id, status: result.shipment.status };
      },
    );
  });
};
