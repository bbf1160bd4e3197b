import type { ShipmentStatus } from '../events/index.ts';

export type { ShipmentStatus };

/** Steps a warehouse, carrier or the simulator may report. */
export const REPORTED_STEPS = ['picked', 'packed', 'shipped', 'delivered'] as const;
export type ReportedStep = (typeof REPORTED_STEPS)[number];

/**
 * The shipment state machine: pending → picked → packed → shipped → delivered, and
 * cancelled only from pending or picked (the order was cancelled before packing began).
 */
export const SHIPMENT_TRANSITIONS: Readonly<Record<ShipmentStatus, readonly ShipmentStatus[]>> = {
  pending: ['picked', 'cancelled'],
  picked: ['packed', 'cancelled'],
  packed: ['shipped'],
  shipped: ['delivered'],
  delivered: [],
  cancelled: [],
};

export const CANCELLABLE_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['pending', 'picked'];

export const canTransition = (from: ShipmentStatus, to: ShipmentStatus): boolean => SHIPMENT_TRANSITIONS[from].includes(to);

/** The order statuses fulfillment moves an order through, in order. */
export const ORDER_PROGRESS = ['placed', 'processing', 'packed', 'shipped', 'delivered'] as const;
export type OrderProgress = (typeof ORDER_PROGRESS)[number];

const ORDER_STATUS_OF: Record<Exclude<ShipmentStatus, 'cancelled'>, OrderProgress> = {
  pending: 'processing',
  picked: 'processing',
  packed: 'packed',
  shipped: 'shipped',
  delivered: 'delivered',
};

/**
 * The order's status as the worst case of its shipments (cancelled ones do not count):
 * an order is shipped only when every parcel is. Undefined when no shipment counts.
 */
export function orderStatusFor(statuses: readonly ShipmentStatus[]): OrderProgress | undefined {
  let worst: number | undefined;
  for (const status of statuses) {
    if (status === 'cancelled') continue;
    const rank = ORDER_PROGRESS.indexOf(ORDER_STATUS_OF[status]);
    worst = worst === undefined ? rank : Math.min(worst, rank);
  }
  return worst === undefined ? undefined : ORDER_PROGRESS[worst];
}
