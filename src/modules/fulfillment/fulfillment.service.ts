import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { pgErrorCode, PG_UNIQUE_VIOLATION } from '../../platform/database.ts';
import { conflict, unprocessable } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendToOutbox, EventTypes, type OrderPlacedV1 } from '../events/index.ts';
import type { DeliveryService } from './delivery.service.ts';
import { invalidTransition, orderCancelled, shipmentNotFound, unknownCarrier } from './fulfillment.errors.ts';
import type { ShipmentRoute } from './fulfillment.tables.ts';
import type { OrderLifecyclePort, ReportResult, Shipment, ShipmentDetail, ShipmentReport, WarehouseLocator, WebhookReceipt } from './fulfillment.types.ts';
import * as repo from './shipments.repository.ts';
import {
  canTransition,
  CANCELLABLE_SHIPMENT_STATUSES,
  ORDER_PROGRESS,
  orderStatusFor,
  type OrderProgress,
  type ShipmentStatus,
} from './shipment-states.ts';

/** Reports may be stamped a little ahead of our clock, not more. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const TRACKING_NUMBER = /^[A-Za-z0-9-]{4,40}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

export interface FulfillmentDeps {
  /** The orders-domain database: shipments live next to orders. */
  db: Kysely<any>;
  clock: Clock;
  delivery: DeliveryService;
  orders: OrderLifecyclePort;
  warehouses: WarehouseLocator;
}

/** A shipment about to be created for a placed order (computed outside any transaction). */
export type PlannedShipment = repo.ShipmentRow;

/**
 * Shipments: one per warehouse of an order, moved pending → picked → packed → shipped →
 * delivered (or cancelled from pending/picked). Every transition is one conditional
 * UPDATE with its history row and `fulfillment.shipment.status_changed` event in the
 * same transaction; a repeated report is a no-op. Packing first asks orders to
 * `beginPacking`, the single conditional update that decides a cancel racing a pack.
 *
 * Error codes: `shipment_not_found` (404), `invalid_shipment_transition` (409),
 * `order_cancelled` (409), `tracking_number_in_use` (409), `carrier_not_found`,
 * `carrier_required`, `tracking_number_required`, `invalid_tracking_number`,
 * `invalid_occurred_at` (422).
 */
export class FulfillmentService {
  constructor(private readonly deps: FulfillmentDeps) {}

  /** Groups a placed order's items by warehouse and estimates each parcel. Reads only; call it outside a transaction. */
  async planShipments(order: OrderPlacedV1, sourceEventId: string): Promise<PlannedShipment[]> {
    const byWarehouse = new Map<string, OrderPlacedV1['items']>();
    for (const item of order.items) byWarehouse.set(item.warehouse_id, [...(byWarehouse.get(item.warehouse_id) ?? []), item]);
    const destination = coordinatesOf(order.shipping_address);
    const now = this.deps.clock.now();
    const placedAt = Number.isNaN(Date.parse(order.placed_at)) ? now : new Date(order.placed_at);
    const plans: PlannedShipment[] = [];
    for (const [warehouseId, items] of byWarehouse) {
      const origin = await this.deps.warehouses.findOrigin(warehouseId);
      const route: ShipmentRoute | null =
        origin && destination
          ? { origin: { latitude: origin.latitude, longitude: origin.longitude, processing_sla_hours: origin.processingSlaHours }, destination }
          : null;
      const estimate = route ? (await this.deps.delivery.estimate(origin!, destination!, placedAt)).estimatedDelivery : orderEstimate(order);
      plans.push({
        id: newId(),
        order_id: order.order_id,
        customer_id: order.customer_id,
        warehouse_id: warehouseId,
        status: 'pending',
        carrier: null,
        tracking_number: null,
        items: items.map((i) => ({ product_id: i.product_id, title: i.title, quantity: i.quantity })),
        route,
        estimated_delivery: estimate,
        source_event_id: sourceEventId,
        created_at: now,
        status_changed_at: now,
        shipped_at: null,
        delivered_at: null,
        cancelled_at: null,
      });
    }
    return plans;
  }

  /** Creates the planned shipments that do not exist yet, each with history and `shipment.created`; inside the caller's transaction. */
  async createShipments(trx: Transaction<any>, plans: PlannedShipment[]): Promise<Shipment[]> {
    const inserted = await repo.insertShipments(trx, plans);
    for (const row of inserted) {
      await repo.insertHistory(trx, { shipmentId: row.id, from: null, to: 'pending', source: 'system', occurredAt: row.created_at, recordedAt: row.created_at });
      await appendToOutbox(trx, {
        type: EventTypes.shipmentCreated,
        aggregateType: 'shipment',
        aggregateId: row.id,
        payload: {
          shipment_id: row.id,
          order_id: row.order_id,
          customer_id: row.customer_id,
          warehouse_id: row.warehouse_id,
          items: repo.toShipment(row).items.map((i) => ({ product_id: i.productId, quantity: i.quantity, title: i.title })),
          status: 'pending',
          ...(row.estimated_delivery ? { estimated_delivery: row.estimated_delivery } : {}),
          created_at: row.created_at.toISOString(),
        },
      });
    }
    return inserted.map(repo.toShipment);
  }

  /** Order placed → PROCESSING (a warehouse has it); a no-op if it moved on or was cancelled. */
  async startProcessing(orderId: string): Promise<boolean> {
    return this.deps.orders.changeStatus(orderId, ['placed'], 'processing', 'warehouse assigned');
  }

  /**
   * Moves the order forward to the worst case of its shipments, reading their current
   * state (so duplicate or out-of-order events converge). Every shipment passes every
   * status one step at a time, so their worst case does too: when this runs late and the
   * target is several steps ahead, the order is moved through each step in between, and
   * its history shows each exactly once. Each step is conditional on the one before, so
   * concurrent runs apply it once. Never moves an order back or out of cancelled.
   * Returns the status it computed.
   */
  async syncOrderStatus(orderId: string): Promise<OrderProgress | undefined> {
    const rows = await repo.listByOrder(this.deps.db, orderId);
    const target = orderStatusFor(rows.map((r) => r.status));
    if (!target) return undefined;
    const current = await this.deps.orders.findStatus(orderId);
    const from = ORDER_PROGRESS.indexOf(current as OrderProgress);
    if (from < 0) return target;
    for (let i = from + 1; i <= ORDER_PROGRESS.indexOf(target); i++) {
      const to = ORDER_PROGRESS[i]!;
      await this.deps.orders.changeStatus(orderId, [ORDER_PROGRESS[i - 1]!], to, to === 'processing' ? 'warehouse assigned' : `every shipment ${to}`);
    }
    return target;
  }

  /** Cancels an order's pending and picked shipments (its order was cancelled); inside the caller's transaction. */
  async cancelShipmentsOfOrder(trx: Transaction<any>, orderId: string, at: Date = this.deps.clock.now()): Promise<number> {
    const open = await repo.lockByOrderAndStatus(trx, orderId, CANCELLABLE_SHIPMENT_STATUSES);
    for (const row of open) {
      const updated = await repo.updateStatus(trx, row.id, row.status, 'cancelled', at, { cancelled_at: at });
      if (!updated) continue;
      await this.recordTransition(trx, updated, row.status, 'system', at, at);
    }
    return open.length;
  }

  /**
   * Applies a warehouse or carrier report. Repeating the current status is a no-op
   * (`changed: false`); with `receipt`, a delivery id seen before is answered as a
   * duplicate without any change, even when concurrent.
   */
  async report(shipmentId: string, report: ShipmentReport, receipt?: WebhookReceipt): Promise<ReportResult> {
    const now = this.deps.clock.now();
    const claimedAt = report.occurredAt ?? now;
    if (Number.isNaN(claimedAt.getTime()) || claimedAt.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
      throw unprocessable('invalid_occurred_at', 'occurred_at must be a time in the past', { occurred_at: report.occurredAt?.toISOString?.() });
    }
    const current = await repo.findShipment(this.deps.db, shipmentId);
    if (!current) throw shipmentNotFound(shipmentId);
    const unchanged = async (duplicate: boolean) => ({ shipment: await this.detail(current.id), changed: false, duplicate });
    if (receipt && (await repo.hasReceipt(this.deps.db, receipt.carrier, receipt.deliveryId))) return unchanged(true);
    if (current.status === report.type) return unchanged(false);
    if (!canTransition(current.status, report.type)) throw invalidTransition(current.status, report.type);
    const { occurredAt, reportedOccurredAt } = await this.inHistoryOrder(current.id, claimedAt);
    const changes = await this.changesFor(current, report, occurredAt);
    if (report.type === 'packed' && !(await this.deps.orders.beginPacking(current.order_id))) throw orderCancelled(current.order_id);

    const outcome = await this.commit(current, report, { changes, occurredAt, reportedOccurredAt, now, receipt });
    if (outcome === 'duplicate') return unchanged(true);
    if (outcome === 'raced') {
      // Another report moved it first: the same step is a repeat, anything else a conflict.
      const latest = (await repo.findShipment(this.deps.db, shipmentId))!;
      if (latest.status === report.type) return unchanged(false);
      throw invalidTransition(latest.status, report.type);
    }
    return { shipment: await this.detail(shipmentId), changed: true, duplicate: false };
  }

  /**
   * The rule for back-dated reports: the step is applied (the state machine only moves forward, so
   * a late report of a valid next step is still that step) and recorded in history order, at the
   * previous step's time, with the time the reporter claimed beside it. A tracking page therefore
   * never shows a parcel delivered before it shipped.
   */
  private async inHistoryOrder(shipmentId: string, claimedAt: Date): Promise<{ occurredAt: Date; reportedOccurredAt: Date | null }> {
    const lastStepAt = await repo.findLastStepAt(this.deps.db, shipmentId);
    if (!lastStepAt || claimedAt.getTime() >= lastStepAt.getTime()) return { occurredAt: claimedAt, reportedOccurredAt: null };
    return { occurredAt: lastStepAt, reportedOccurredAt: claimedAt };
  }

  /** One shipment with its status history. Throws shipment_not_found. */
  async getShipment(id: string): Promise<ShipmentDetail> {
    return this.detail(id);
  }

  async findByTracking(carrier: string, trackingNumber: string): Promise<Shipment | undefined> {
    const row = await repo.findByTracking(this.deps.db, carrier, trackingNumber);
    return row ? repo.toShipment(row) : undefined;
  }

  /** Shipments (with histories) carrying this tracking number, any carrier, any letter case: staff's lookup. */
  async findByTrackingNumber(trackingNumber: string): Promise<ShipmentDetail[]> {
    const rows = await repo.listByTrackingNumber(this.deps.db, trackingNumber);
    const history = await repo.listHistory(this.deps.db, rows.map((r) => r.id));
    return rows.map((r) => ({ ...repo.toShipment(r), history: history.get(r.id) ?? [] }));
  }

  /** An order's shipments with their status histories, oldest first. The caller checks the order is the principal's. */
  async listForOrder(orderId: string): Promise<ShipmentDetail[]> {
    const rows = await repo.listByOrder(this.deps.db, orderId);
    const history = await repo.listHistory(this.deps.db, rows.map((r) => r.id));
    return rows.map((r) => ({ ...repo.toShipment(r), history: history.get(r.id) ?? [] }));
  }

  /** Open shipments that have spent at least the given time in their status (the simulator's work list). */
  async listDue(minAgeMs: Record<'pending' | 'picked' | 'packed' | 'shipped', number>, limit: number): Promise<Shipment[]> {
    return (await repo.listDue(this.deps.db, this.deps.clock.now(), minAgeMs, limit)).map(repo.toShipment);
  }

  /** Forgets webhook delivery ids older than `before` (replays that old fail the timestamp check anyway). */
  async purgeWebhookReceipts(before: Date): Promise<number> {
    return repo.deleteReceiptsBefore(this.deps.db, before);
  }

  private async detail(id: string): Promise<ShipmentDetail> {
    const row = await repo.findShipment(this.deps.db, id);
    if (!row) throw shipmentNotFound(id);
    const history = await repo.listHistory(this.deps.db, [id]);
    return { ...repo.toShipment(row), history: history.get(id) ?? [] };
  }

  /** The transition itself: receipt, conditional update, history and event in one transaction. */
  private async commit(
    current: repo.ShipmentRow,
    report: ShipmentReport,
    step: { changes: repo.StatusChanges; occurredAt: Date; reportedOccurredAt: Date | null; now: Date; receipt: WebhookReceipt | undefined },
  ): Promise<'applied' | 'duplicate' | 'raced'> {
    const carrierId = step.changes.carrier ?? current.carrier;
    const carrierName = carrierId ? (await this.deps.delivery.listCarriers()).find((c) => c.id === carrierId)?.name : undefined;
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        if (step.receipt && !(await repo.insertReceipt(trx, { ...step.receipt, shipmentId: current.id, at: step.now }))) return 'duplicate' as const;
        const updated = await repo.updateStatus(trx, current.id, current.status, report.type, step.now, step.changes);
        if (!updated) return 'raced' as const;
        await this.recordTransition(trx, updated, current.status, report.source, step.occurredAt, step.now, carrierName, step.reportedOccurredAt);
        return 'applied' as const;
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
        throw conflict('tracking_number_in_use', 'Another shipment of this carrier has that tracking number', { tracking_number: step.changes.tracking_number });
      }
      throw error;
    }
  }

  private async changesFor(current: repo.ShipmentRow, report: ShipmentReport, occurredAt: Date): Promise<repo.StatusChanges> {
    if (report.type === 'delivered') return { delivered_at: occurredAt };
    if (report.type !== 'shipped') return {};
    const carrier = report.carrier ?? current.carrier;
    const trackingNumber = report.trackingNumber ?? current.tracking_number;
    if (!carrier) throw unprocessable('carrier_required', 'A shipped report needs the carrier');
    if (!trackingNumber) throw unprocessable('tracking_number_required', 'A shipped report needs the tracking number');
    if (!TRACKING_NUMBER.test(trackingNumber)) {
      throw unprocessable('invalid_tracking_number', 'A tracking number is 4-40 letters, digits or dashes', { tracking_number: trackingNumber });
    }
    const carriers = await this.deps.delivery.listCarriers();
    if (!carriers.some((c) => c.id === carrier)) throw unknownCarrier(carrier);
    const route = current.route ? (typeof current.route === 'string' ? (JSON.parse(current.route) as ShipmentRoute) : current.route) : null;
    const estimate = route ? await this.deps.delivery.estimateInTransit(carrier, route.origin, route.destination, occurredAt) : undefined;
    return { carrier, tracking_number: trackingNumber, shipped_at: occurredAt, estimated_delivery: estimate ?? current.estimated_delivery };
  }

  private async recordTransition(
    trx: Transaction<any>,
    row: repo.ShipmentRow,
    from: ShipmentStatus,
    source: string,
    occurredAt: Date,
    recordedAt: Date,
    carrierName?: string,
    reportedOccurredAt: Date | null = null,
  ) {
    await repo.insertHistory(trx, { shipmentId: row.id, from, to: row.status, source, occurredAt, recordedAt, reportedOccurredAt });
    await appendToOutbox(trx, {
      type: EventTypes.shipmentStatusChanged,
      aggregateType: 'shipment',
      aggregateId: row.id,
      payload: {
        shipment_id: row.id,
        order_id: row.order_id,
        customer_id: row.customer_id,
        from,
        to: row.status,
        ...(row.carrier ? { carrier: row.carrier } : {}),
        ...(carrierName ? { carrier_name: carrierName } : {}),
        ...(row.tracking_number ? { tracking_number: row.tracking_number } : {}),
        ...(row.estimated_delivery ? { estimated_delivery: row.estimated_delivery } : {}),
        occurred_at: occurredAt.toISOString(),
        ...(reportedOccurredAt ? { reported_occurred_at: reportedOccurredAt.toISOString() } : {}),
        source,
      },
    });
  }
}

function coordinatesOf(address: Record<string, unknown>): { latitude: number; longitude: number } | undefined {
  const { latitude, longitude } = address;
  return typeof latitude === 'number' && typeof longitude === 'number' ? { latitude, longitude } : undefined;
}

function orderEstimate(order: OrderPlacedV1): string | null {
  return typeof order.estimated_delivery === 'string' && ISO_DATE.test(order.estimated_delivery) ? order.estimated_delivery.slice(0, 10) : null;
}
