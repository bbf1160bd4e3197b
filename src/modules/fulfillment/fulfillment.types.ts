import type { Origin } from './delivery.service.ts';
import type { OrderProgress, ReportedStep, ShipmentStatus } from './shipment-states.ts';

export interface ShipmentItem {
  productId: string;
  title: string;
  quantity: number;
}

export interface Shipment {
  id: string;
  orderId: string;
  customerId: string;
  warehouseId: string;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  items: ShipmentItem[];
  /** Calendar date (YYYY-MM-DD); recomputed with the real carrier when the parcel ships. */
  estimatedDelivery: string | null;
  createdAt: Date;
  statusChangedAt: Date;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
}

export interface ShipmentStatusChange {
  from: ShipmentStatus | null;
  to: ShipmentStatus;
  /** admin, carrier, simulator or system. */
  source: string;
  /**
   * When it happened, as reported, except that a history never goes backwards: a report dated
   * before the previous step is shown at the previous step's time (its own claim is `reportedOccurredAt`).
   */
  occurredAt: Date;
  /** When Bazaar recorded it (the report's arrival). */
  recordedAt: Date;
  /** For a back-dated report only: the earlier time the reporter claimed. */
  reportedOccurredAt: Date | null;
}

export interface ShipmentDetail extends Shipment {
  history: ShipmentStatusChange[];
}

export type ReportSource = 'admin' | 'carrier' | 'simulator';

/** A warehouse or carrier saying a shipment reached a step. */
export interface ShipmentReport {
  type: ReportedStep;
  /** Required (here or already on the shipment) for `shipped`. */
  carrier?: string;
  trackingNumber?: string;
  /** Default: now. At most a few minutes in the future (clock skew). */
  occurredAt?: Date;
  source: ReportSource;
}

export interface ReportResult {
  shipment: ShipmentDetail;
  /** False when the shipment already was in the reported status (a repeated report) or the delivery was seen before. */
  changed: boolean;
  /** True when a webhook delivery id was seen before: nothing was done. */
  duplicate: boolean;
}

/** A carrier webhook delivery, recorded with the transition so a replay changes nothing. */
export interface WebhookReceipt {
  carrier: string;
  deliveryId: string;
}

/**
 * What fulfillment needs from orders, wired by the composition root (fulfillment never
 * imports the orders module).
 */
export interface OrderLifecyclePort {
  /** Moves the order to `to` if it is in one of `from` (with history and event); resolves whether it moved. */
  changeStatus(orderId: string, from: readonly OrderProgress[], to: OrderProgress, reason: string): Promise<boolean>;
  /** The order's current status; undefined for an unknown order. */
  findStatus(orderId: string): Promise<string | undefined>;
  /** Marks that packing began unless the order is cancelled; false means the order is cancelled. */
  beginPacking(orderId: string): Promise<boolean>;
}

/** Where warehouses are, from inventory. */
export interface WarehouseLocator {
  /** Undefined for an unknown warehouse. */
  findOrigin(warehouseId: string): Promise<Origin | undefined>;
}
