import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_carriers.ts';
import * as m0002 from './migrations/0002_shipments.ts';
import * as m0003 from './migrations/0003_reported_occurred_at.ts';
import * as m0004 from './migrations/0004_tracking_lookup.ts';

export { DeliveryService, type DeliveryEstimate, type Origin } from './delivery.service.ts';
export { addBusinessDays, isBusinessDay, nextBusinessDayOnOrAfter } from './business-days.ts';
export { FulfillmentService, type FulfillmentDeps } from './fulfillment.service.ts';
export { fulfillmentConsumers, FULFILLMENT_ORDERS_CONSUMER, FULFILLMENT_ORDER_STATUS_CONSUMER } from './fulfillment.consumers.ts';
export {
  CarrierWebhookService,
  signCarrierWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type CarrierEvent,
  type CarrierWebhookOptions,
} from './carrier-webhooks.ts';
export { FulfillmentSimulator, type SimulatorOptions } from './simulator.ts';
export { REPORTED_STEPS, SHIPMENT_TRANSITIONS, orderStatusFor, type OrderProgress, type ReportedStep, type ShipmentStatus } from './shipment-states.ts';
export type {
  OrderLifecyclePort,
  ReportResult,
  ReportSource,
  Shipment,
  ShipmentDetail,
  ShipmentItem,
  ShipmentReport,
  ShipmentStatusChange,
  WarehouseLocator,
  WebhookReceipt,
} from './fulfillment.types.ts';

export const fulfillmentSchema: ModuleSchema = {
  module: 'fulfillment',
  domain: 'orders',
  migrations: { '0001_carriers': m0001, '0002_shipments': m0002, '0003_reported_occurred_at': m0003, '0004_tracking_lookup': m0004 },
};
