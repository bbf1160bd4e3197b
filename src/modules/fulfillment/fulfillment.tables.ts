import type { Generated } from 'kysely';
import type { ShipmentStatus } from './shipment-states.ts';

/** Where a parcel travels from and to, kept for the estimate recomputed when it ships. */
export interface ShipmentRoute {
  origin: { latitude: number; longitude: number; processing_sla_hours: number };
  destination: { latitude: number; longitude: number };
}

export interface ShipmentItemRow {
  product_id: string;
  title: string;
  quantity: number;
}

export interface ShipmentsTable {
  id: string;
  order_id: string;
  customer_id: string;
  warehouse_id: string;
  status: ShipmentStatus;
  carrier: string | null;
  tracking_number: string | null;
  items: ShipmentItemRow[];
  route: ShipmentRoute | null;
  estimated_delivery: string | null;
  /** The order.placed event that created it. */
  source_event_id: string;
  created_at: Date;
  /** When the current status was recorded (the simulator's clock), not when it was reported to happen. */
  status_changed_at: Date;
  shipped_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
}

export interface ShipmentStatusHistoryTable {
  id: Generated<number>;
  shipment_id: string;
  from_status: ShipmentStatus | null;
  to_status: ShipmentStatus;
  source: string;
  /** When it happened, in history order: never earlier than the previous step's. */
  occurred_at: Date;
  recorded_at: Date;
  /** The time the reporter claimed, when it was earlier than the previous step (a back-dated report); else null. */
  reported_occurred_at: Date | null;
}

export interface WebhookReceiptsTable {
  carrier: string;
  delivery_id: string;
  shipment_id: string;
  received_at: Date;
}

export interface FulfillmentTables {
  shipments: ShipmentsTable;
  shipment_status_history: ShipmentStatusHistoryTable;
  webhook_receipts: WebhookReceiptsTable;
}
