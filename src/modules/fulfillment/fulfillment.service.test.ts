import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabases, BACKENDS, CONCURRENT_BACKENDS, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ManualClock, systemClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema, listOutbox, type OrderPlacedV1 } from '../events/index.ts';
import { DeliveryService } from './delivery.service.ts';
import { FulfillmentService } from './fulfillment.service.ts';
import type { OrderLifecyclePort } from './fulfillment.types.ts';
import { fulfillmentSchema } from './index.ts';
import { describeEach, NEEDS_POSTGRES } from '../../../test/helpers/suites.ts';

/** An in-memory orders side: statuses, conditional moves, and the packing flag. */
class FakeOrders implements OrderLifecyclePort {
  statuses = new Map<string, string>();
  packing = new Set<string>();
  moves: string[] = [];
  async changeStatus(orderId: string, from: readonly string[], to: string) {
    const current = this.statuses.get(orderId);
    if (!current || !from.includes(current)) return false;
    this.statuses.set(orderId, to);
    this.moves.push(`${orderId}:${to}`);
    return true;
  }
  async findStatus(orderId: string) {
    return this.statuses.get(orderId);
  }
  async beginPacking(orderId: string) {
    if (this.statuses.get(orderId) === 'cancelled') return false;
    this.packing.add(orderId);
    return true;
  }
}

const warehouses = { east: newId(), west: newId() };

function placed(orderId = newId()): OrderPlacedV1 {
  return {
    order_id: orderId,
    customer_id: newId(),
    items: [
      { product_id: newId(), warehouse_id: warehouses.east, quantity: 1, unit_price: 1000, title: 'Kettle' },
      { product_id: newId(), warehouse_id: warehouses.west, quantity: 2, unit_price: 500, title: 'Mug' },
      { product_id: newId(), warehouse_id: warehouses.east, quantity: 1, unit_price: 700, title: 'Tea' },
    ],
    total: 2700,
    currency: 'USD',
    shipping_address: { latitude: 40.75, longitude: -73.99 },
    estimated_delivery: '2026-12-01',
    placed_at: new Date().toISOString(),
  };
}

describe.each(BACKENDS)('FulfillmentService (%s)', (backend) => {
  let databases: TestDatabases;
  let orders: FakeOrders;
  let service: FulfillmentService;

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, fulfillmentSchema]);
    orders = new FakeOrders();
    service = new FulfillmentService({
      db: databases.orders,
      clock: systemClock,
      delivery: new DeliveryService(databases.orders, systemClock),
      orders,
      warehouses: {
        findOrigin: async (id) =>
          id === warehouses.east ? { latitude: 40.6, longitude: -74.3, processingSlaHours: 24 } : id === warehouses.west ? { latitude: 34.0, longitude: -117.6, processingSlaHours: 24 } : undefined,
      },
    });
  });
  afterAll(async () => databases?.close());

  const create = async (order: OrderPlacedV1) => {
    const plans = await service.planShipments(order, newId());
    return databases.orders.transaction().execute((trx) => service.createShipments(trx, plans));
  };

  it('creates one shipment per warehouse, each with its own estimate, and never a second one', async () => {
    const order = placed();
    const created = await create(order);
    expect(created.map((s) => s.warehouseId).sort()).toEqual([warehouses.east, warehouses.west].sort());
    expect(created.find((s) => s.warehouseId === warehouses.east)!.items.map((i) => i.title)).toEqual(['Kettle', 'Tea']);
    // Nearer warehouse, earlier parcel.
    const eta = (w: string) => created.find((s) => s.warehouseId === w)!.estimatedDelivery!;
    expect(eta(warehouses.east) <= eta(warehouses.west)).toBe(true);
    expect(await create(order)).toEqual([]);
    expect(await service.listForOrder(order.order_id)).toHaveLength(2);
    const events = (await listOutbox(databases.orders, { type: 'fulfillment.shipment.created' })).filter((e) => created.some((s) => s.id === e.aggregate_id));
    expect(events).toHaveLength(2);
  });

  it('falls back to the order estimate for an unknown warehouse', async () => {
    const order = { ...placed(), items: [{ product_id: newId(), warehouse_id: newId(), quantity: 1, unit_price: 100, title: 'Pen' }] };
    const [shipment] = await create(order);
    expect(shipment!.estimatedDelivery).toBe('2026-12-01');
  });

  it('refuses to pack a shipment of a cancelled order, and changes nothing', async () => {
    const order = placed();
    const [shipment] = await create(order);
    orders.statuses.set(order.order_id, 'processing');
    await service.report(shipment!.id, { type: 'picked', source: 'admin' });
    orders.statuses.set(order.order_id, 'cancelled');
    const error = await service.report(shipment!.id, { type: 'packed', source: 'admin' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('order_cancelled');
    const after = await service.getShipment(shipment!.id);
    expect(after.status).toBe('picked');
    expect(after.history.map((h) => h.to)).toEqual(['pending', 'picked']);
  });

  it('walks a late order through every step its shipments passed, once', async () => {
    const order = placed();
    const shipments = await create(order);
    orders.statuses.set(order.order_id, 'placed');
    for (const s of shipments) {
      for (const type of ['picked', 'packed'] as const) await service.report(s.id, { type, source: 'admin' });
      await service.report(s.id, { type: 'shipped', carrier: 'swiftship-express', trackingNumber: `SE${newId().slice(-12)}`, source: 'carrier' });
    }
    expect(await service.syncOrderStatus(order.order_id)).toBe('shipped');
    expect(await service.syncOrderStatus(order.order_id)).toBe('shipped');
    expect(orders.moves.filter((m) => m.startsWith(order.order_id)).map((m) => m.split(':')[1])).toEqual(['processing', 'packed', 'shipped']);
    const shipped = await service.getShipment(shipments[0]!.id);
    expect(shipped).toMatchObject({ carrier: 'swiftship-express', estimatedDelivery: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('records a back-dated report in history order, with the claimed time beside it, and never moves the state back', async () => {
    // Created ten hours ago, so the reports below are in the past and after its creation.
    const hour = 3600_000;
    const t0 = Date.now() - 10 * hour;
    const clock = new ManualClock(new Date(t0 - hour));
    const service = new FulfillmentService({
      db: databases.orders,
      clock,
      delivery: new DeliveryService(databases.orders, clock),
      orders,
      warehouses: { findOrigin: async () => undefined },
    });
    const order = placed();
    const plans = await service.planShipments(order, newId());
    const [shipment] = await databases.orders.transaction().execute((trx) => service.createShipments(trx, plans));
    clock.set(new Date());
    orders.statuses.set(order.order_id, 'processing');
    await service.report(shipment!.id, { type: 'picked', source: 'admin', occurredAt: new Date(t0) });
    await service.report(shipment!.id, { type: 'packed', source: 'admin', occurredAt: new Date(t0 + 2 * hour) });
    const tracking = `SE${newId().slice(-12)}`;
    // The carrier's scan says it shipped an hour before it was packed: a late, back-dated report.
    const claimed = new Date(t0 + hour);
    await service.report(shipment!.id, { type: 'shipped', carrier: 'swiftship-express', trackingNumber: tracking, source: 'carrier', occurredAt: claimed });
    // An even older delivery report still moves the parcel forward, recorded at the previous step's time.
    await service.report(shipment!.id, { type: 'delivered', source: 'carrier', occurredAt: new Date(t0 - 2 * hour) });

    const after = await service.getShipment(shipment!.id);
    expect(after.status).toBe('delivered');
    const times = after.history.map((h) => h.occurredAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const shipped = after.history.find((h) => h.to === 'shipped')!;
    expect(shipped.occurredAt.getTime()).toBe(t0 + 2 * hour);
    expect(shipped.reportedOccurredAt?.getTime()).toBe(claimed.getTime());
    expect(after.history.find((h) => h.to === 'delivered')!.reportedOccurredAt?.getTime()).toBe(t0 - 2 * hour);
    expect(after.history.find((h) => h.to === 'packed')!.reportedOccurredAt).toBeNull();
    expect(after.shippedAt!.getTime()).toBe(t0 + 2 * hour);
    expect(after.deliveredAt!.getTime()).toBeGreaterThanOrEqual(after.shippedAt!.getTime());
    // The event the customer's notification and order tracking follow carries both times.
    const events = await listOutbox(databases.orders, { aggregateId: shipment!.id, type: 'fulfillment.shipment.status_changed' });
    const shippedEvent = events.find((e) => (e.payload as { to: string }).to === 'shipped')!.payload as Record<string, string>;
    expect(new Date(shippedEvent.occurred_at!).getTime()).toBe(t0 + 2 * hour);
    expect(new Date(shippedEvent.reported_occurred_at!).getTime()).toBe(claimed.getTime());
    // A step backwards is still refused, whatever its time.
    const backwards = await service.report(shipment!.id, { type: 'packed', source: 'admin', occurredAt: new Date(t0 + 5 * hour) }).catch((e: unknown) => e);
    expect((backwards as AppError).code).toBe('invalid_shipment_transition');
  });

  it('cancels only pending and picked shipments of an order', async () => {
    const order = placed();
    const [a, b] = await create(order);
    orders.statuses.set(order.order_id, 'processing');
    await service.report(a!.id, { type: 'picked', source: 'admin' });
    await service.report(b!.id, { type: 'picked', source: 'admin' });
    await service.report(b!.id, { type: 'packed', source: 'admin' });
    const cancelled = await databases.orders.transaction().execute((trx) => service.cancelShipmentsOfOrder(trx, order.order_id));
    expect(cancelled).toBe(1);
    expect((await service.listForOrder(order.order_id)).map((s) => [s.id, s.status])).toEqual(
      expect.arrayContaining([
        [a!.id, 'cancelled'],
        [b!.id, 'packed'],
      ]),
    );
  });
});

describeEach(
  CONCURRENT_BACKENDS,
  NEEDS_POSTGRES,
  'FulfillmentService under concurrency (%s)',
  (backend) => {
    let databases: TestDatabases;
    let service: FulfillmentService;
    beforeAll(async () => {
      databases = await createTestDatabases(backend);
      await migrateToLatest(databases, [eventsSchema, fulfillmentSchema]);
      service = new FulfillmentService({
        db: databases.orders,
        clock: systemClock,
        delivery: new DeliveryService(databases.orders, systemClock),
        orders: new FakeOrders(),
        warehouses: { findOrigin: async () => undefined },
        });
    });
    afterAll(async () => databases?.close());

    it('applies the same step reported many times at once exactly once', async () => {
      const order = placed();
      const plans = await service.planShipments(order, newId());
      const [shipment] = await databases.orders.transaction().execute((trx) => service.createShipments(trx, plans));
      const results = await Promise.all(Array.from({ length: 12 }, () => service.report(shipment!.id, { type: 'picked', source: 'admin' })));
      expect(results.filter((r) => r.changed)).toHaveLength(1);
      expect((await service.getShipment(shipment!.id)).history.map((h) => h.to)).toEqual(['pending', 'picked']);
      const events = await listOutbox(databases.orders, { aggregateId: shipment!.id, type: 'fulfillment.shipment.status_changed' });
      expect(events).toHaveLength(1);
    });
  },
);
