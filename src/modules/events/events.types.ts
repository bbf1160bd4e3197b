/**
 * Every event Bazaar publishes, versioned, in one place. Payloads only ever gain
 * optional fields within a version; a breaking change is a new version.
 */
export const EventTypes = {
  productUpdated: 'catalog.product.updated',
  categoryUpdated: 'catalog.category.updated',
  familyUpdated: 'catalog.family.updated',
  stockChanged: 'inventory.stock.changed',
  orderPlaced: 'orders.order.placed',
  orderCancelled: 'orders.order.cancelled',
  orderRefunded: 'orders.order.refunded',
  orderStatusChanged: 'orders.order.status_changed',
  shipmentCreated: 'fulfillment.shipment.created',
  shipmentStatusChanged: 'fulfillment.shipment.status_changed',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export type AggregateType = 'product' | 'family' | 'order' | 'shipment' | 'stock' | 'category_tree';

export interface ProductUpdatedV1 {
  product_id: string;
  seller_id: string;
  change: 'created' | 'updated' | 'status_changed';
  status: string;
  price_amount: number;
  currency: string;
  /** Added by catalog: lets consumers log or index without a read-back. */
  title?: string;
  category_id?: number;
  /** The variation family the product is a child of (null or absent: none). */
  family_id?: string | null;
  /** Set when the product moved to another category (its lists changed). */
  previous_category_id?: number;
  /** Set when the product left (or moved out of) a family. */
  previous_family_id?: string;
}

/** The category tree changed (a category was created). Its aggregate is the whole tree, so changes stay in order. */
export interface CategoryUpdatedV1 {
  category_id: number;
  parent_id: number | null;
  change: 'created';
}

/** A variation family's shared fields or axes changed; `product_ids` are its children at that moment. */
export interface FamilyUpdatedV1 {
  family_id: string;
  seller_id: string;
  change: 'created' | 'updated' | 'status_changed';
  status: string;
  product_ids: string[];
}

export interface OrderPlacedV1 {
  order_id: string;
  customer_id: string;
  items: { product_id: string; warehouse_id: string; quantity: number; unit_price: number; title: string }[];
  total: number;
  currency: string;
  shipping_address: Record<string, unknown>;
  estimated_delivery: string;
  placed_at: string;
}

export interface OrderCancelledV1 {
  order_id: string;
  customer_id: string;
  reason: string;
  refund_amount: number;
  currency: string;
  cancelled_at: string;
}

/** The refund of a cancelled order went through at the payment provider. */
export interface OrderRefundedV1 {
  order_id: string;
  customer_id: string;
  amount: number;
  currency: string;
  refunded_at: string;
}

export interface OrderStatusChangedV1 {
  order_id: string;
  customer_id: string;
  from: string;
  to: string;
  occurred_at: string;
}

/** `cancelled` is reachable only from pending or picked, when the order is cancelled. */
export type ShipmentStatus = 'pending' | 'picked' | 'packed' | 'shipped' | 'delivered' | 'cancelled';

/** One shipment per warehouse of an order; `status` is always 'pending' at creation. */
export interface ShipmentCreatedV1 {
  shipment_id: string;
  order_id: string;
  customer_id: string;
  warehouse_id: string;
  items: { product_id: string; quantity: number; title?: string }[];
  status: ShipmentStatus;
  estimated_delivery?: string;
  created_at: string;
}

/** A shipment moved one step; repeated reports of the same step produce no event. */
export interface ShipmentStatusChangedV1 {
  shipment_id: string;
  order_id: string;
  customer_id: string;
  from: ShipmentStatus;
  to: ShipmentStatus;
  carrier?: string;
  /** The carrier's display name, e.g. "SwiftShip Express". */
  carrier_name?: string;
  tracking_number?: string;
  estimated_delivery?: string;
  occurred_at: string;
  /** Who reported the change: admin, carrier, simulator or system (cancellation). */
  source?: string;
}

/** A product's sellable units changed by restocking (reservations do not emit it: availability there is approximate). */
export interface StockChangedV1 {
  product_id: string;
  available: number;
}

export interface EventPayloads {
  'inventory.stock.changed': StockChangedV1;
  'catalog.product.updated': ProductUpdatedV1;
  'catalog.category.updated': CategoryUpdatedV1;
  'catalog.family.updated': FamilyUpdatedV1;
  'orders.order.placed': OrderPlacedV1;
  'orders.order.cancelled': OrderCancelledV1;
  'orders.order.refunded': OrderRefundedV1;
  'orders.order.status_changed': OrderStatusChangedV1;
  'fulfillment.shipment.created': ShipmentCreatedV1;
  'fulfillment.shipment.status_changed': ShipmentStatusChangedV1;
}

/** An event as it is written to the outbox and later published. */
export interface OutboxEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  aggregateType: AggregateType;
  aggregateId: string;
  payload: EventPayloads[T];
  occurredAt: Date;
  /**
   * The event's trace headers: W3C `traceparent`/`tracestate` of the transaction that wrote it
   * (tracing on only). Stored in the outbox, sent as NATS message headers; consumers continue the trace.
   */
  traceContext?: Record<string, string>;
}
