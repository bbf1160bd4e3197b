import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorker } from '../src/app/worker.ts';
import { startWorker } from '../src/app/worker.ts';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { BUSES, uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, carrierWebhook, countRows, deleteStream, FAST_LIFECYCLE, newDeliveryId, orderDetail, placeOrder, reportStep, splitStock, waitFor } from './helpers/lifecycle.ts';
import { createBuyer, FAST_PAYMENTS, type Buyer } from './helpers/shop.ts';

type ShipmentView = { id: string; warehouse_id: string; status: string; carrier: string | null; tracking_number: string | null; status_history: { from: string | null; to: string }[] };

const CASES = BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

describe.each(CASES)('fulfillment over HTTP (%s, %s bus)', (backend, bus) => {
  let t: TestApp;
  let worker: RunningWorker;
  let admin: Session;
  let buyer: Buyer;
  let stock: Awaited<ReturnType<typeof splitStock>>;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    if (bus === 'jetstream') await assertNatsReachable();
    t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, NATS_STREAM_PREFIX: prefix, ...(bus === 'jetstream' ? { NATS_URL: process.env.TEST_NATS_URL! } : {}) });
    // Consumers run, the simulator does not: the tests play warehouse and carrier themselves.
    worker = await startWorker(t.ctx, { simulateFulfillment: false });
    admin = await createAdminSession(t.ctx, t.app);
    buyer = await createBuyer(t.app);
    stock = await splitStock(t.ctx);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    if (bus === 'jetstream') await deleteStream(prefix);
  });

  const shipmentsOf = async (orderId: string): Promise<ShipmentView[]> => (await orderDetail(t.app, buyer, orderId)).shipments;
  /** Places an order and waits until fulfillment took it: shipments exist and the order is processing. */
  const processingOrder = async (productIds: string[], warehouses: number) => {
    const orderId = await placeOrder(t.app, buyer, productIds);
    const detail = await waitFor(
      () => orderDetail(t.app, buyer, orderId),
      (d) => d.order.status === 'processing' && d.shipments.length === warehouses,
      'order processing with its shipments',
    );
    return { orderId, shipments: detail.shipments as ShipmentView[] };
  };
  const step = async (shipmentId: string, body: Record<string, unknown>) => {
    const response = await reportStep(t.app, admin, shipmentId, body);
    if (response.statusCode !== 200) throw new Error(`${body.type} failed: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const ship = (shipmentId: string, tracking: string) => step(shipmentId, { type: 'shipped', carrier: 'parcelway-ground', tracking_number: tracking });
  const tracking = () => `PG${Date.now()}${Math.floor(Math.random() * 1e6)}`;

  it('takes a placed order to processing with one shipment per warehouse, once', async () => {
    const { orderId, shipments } = await processingOrder([stock.eastProduct, stock.westProduct], 2);
    expect(new Set(shipments.map((s) => s.warehouse_id))).toEqual(new Set([stock.east, stock.west]));
    for (const s of shipments) {
      expect(s).toMatchObject({ status: 'pending', carrier: null, tracking_number: null, status_history: [{ from: null, to: 'pending' }] });
      expect((s as unknown as { estimated_delivery: string }).estimated_delivery).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Replaying every event changes nothing: the consumers already applied them.
    await t.ctx.events.replay({ since: new Date(0) });
    await waitFor(() => t.ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'replay drained');
    expect(await countRows(t.ctx, 'orders', 'shipments', { order_id: orderId })).toBe(2);
    const history = (await orderDetail(t.app, buyer, orderId)).status_history.map((h: { to: string }) => h.to);
    expect(history).toEqual(['placed', 'processing']);
    for (const s of shipments) expect(await countRows(t.ctx, 'orders', 'outbox', { aggregate_id: s.id, type: 'fulfillment.shipment.created' })).toBe(1);
  });

  it('enforces the shipment state machine: invalid steps are 409, repeated ones a 200 no-op', async () => {
    const { shipments: [shipment] } = await processingOrder([stock.eastProduct], 1);
    const id = shipment!.id;
    expect(errorCode(await reportStep(t.app, admin, id, { type: 'shipped', carrier: 'parcelway-ground', tracking_number: tracking() }))).toBe('invalid_shipment_transition');
    expect((await step(id, { type: 'picked' })).changed).toBe(true);
    const repeat = await reportStep(t.app, admin, id, { type: 'picked' });
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toMatchObject({ changed: false, shipment: { status: 'picked' } });
    expect((await step(id, { type: 'packed' })).changed).toBe(true);
    const noTracking = await reportStep(t.app, admin, id, { type: 'shipped', carrier: 'parcelway-ground' });
    expect([noTracking.statusCode, errorCode(noTracking)]).toEqual([422, 'tracking_number_required']);
    const badCarrier = await reportStep(t.app, admin, id, { type: 'shipped', carrier: 'pony-express', tracking_number: tracking() });
    expect([badCarrier.statusCode, errorCode(badCarrier)]).toEqual([422, 'carrier_not_found']);
    const shipped = await ship(id, tracking());
    expect(shipped.shipment).toMatchObject({ status: 'shipped', carrier: 'parcelway-ground' });
    expect(shipped.shipment.shipped_at).not.toBeNull();
    expect((await step(id, { type: 'delivered', occurred_at: new Date(Date.now() - 60_000).toISOString() })).shipment.status).toBe('delivered');
    const back = await reportStep(t.app, admin, id, { type: 'packed' });
    expect([back.statusCode, errorCode(back)]).toEqual([409, 'invalid_shipment_transition']);
    expect(back.json().error.details).toEqual({ from: 'delivered', to: 'packed' });

    const final = (await step(id, { type: 'delivered' })).shipment;
    expect(final.status_history.map((h: { to: string }) => h.to)).toEqual(['pending', 'picked', 'packed', 'shipped', 'delivered']);
    expect(await countRows(t.ctx, 'orders', 'outbox', { aggregate_id: id, type: 'fulfillment.shipment.status_changed' })).toBe(4);
  });

  it('validates reports: admins only, known shipments, no future times, no unknown fields', async () => {
    const { shipments: [shipment] } = await processingOrder([stock.eastProduct], 1);
    const customer = await t.app.inject({ method: 'POST', url: `/v1/admin/shipments/${shipment!.id}/events`, headers: buyer.auth, payload: { type: 'picked' } });
    expect([customer.statusCode, errorCode(customer)]).toEqual([403, 'forbidden']);
    const unknown = await reportStep(t.app, admin, '0193a0c0-0000-7000-8000-000000000000', { type: 'picked' });
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'shipment_not_found']);
    const future = await reportStep(t.app, admin, shipment!.id, { type: 'picked', occurred_at: new Date(Date.now() + 3600_000).toISOString() });
    expect([future.statusCode, errorCode(future)]).toEqual([422, 'invalid_occurred_at']);
    const extra = await reportStep(t.app, admin, shipment!.id, { type: 'picked', note: 'x' });
    expect([extra.statusCode, errorCode(extra)]).toEqual([400, 'validation_failed']);
    const badType = await reportStep(t.app, admin, shipment!.id, { type: 'cancelled' });
    expect([badType.statusCode, errorCode(badType)]).toEqual([400, 'validation_failed']);
    const unchanged = await t.app.inject({ method: 'GET', url: `/v1/admin/shipments/${shipment!.id}`, headers: admin.auth });
    expect(unchanged.json()).toMatchObject({ status: 'pending', status_history: [{ to: 'pending' }] });
  });

  it('keeps the order at the worst case of its shipments', async () => {
    const { orderId, shipments } = await processingOrder([stock.eastProduct, stock.westProduct], 2);
    const [a, b] = shipments.map((s) => s.id) as [string, string];
    const orderStatus = async () => (await orderDetail(t.app, buyer, orderId)).order.status as string;
    for (const type of ['picked', 'packed']) await step(a, { type });
    await ship(a, tracking());
    await step(a, { type: 'delivered' });
    await step(b, { type: 'picked' });
    // One parcel delivered, the other still in the warehouse: the order is processing.
    await waitFor(() => t.ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'events drained');
    expect(await orderStatus()).toBe('processing');
    await step(b, { type: 'packed' });
    await waitFor(orderStatus, (s) => s === 'packed', 'order packed');
    await ship(b, tracking());
    await waitFor(orderStatus, (s) => s === 'shipped', 'order shipped');
    await step(b, { type: 'delivered' });
    await waitFor(orderStatus, (s) => s === 'delivered', 'order delivered');
    const history = (await orderDetail(t.app, buyer, orderId)).status_history.map((h: { to: string }) => h.to);
    expect(history).toEqual(['placed', 'processing', 'packed', 'shipped', 'delivered']);
  });

  it('cancels open shipments when the order is cancelled, and refuses to pack them', async () => {
    const { orderId, shipments } = await processingOrder([stock.eastProduct, stock.westProduct], 2);
    await step(shipments[0]!.id, { type: 'picked' });
    const cancel = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth, payload: { reason: 'changed my mind' } });
    expect(cancel.statusCode).toBe(200);
    const after = await waitFor(() => shipmentsOf(orderId), (s) => s.every((x) => x.status === 'cancelled'), 'shipments cancelled');
    expect(after.map((s) => s.status_history.map((h) => h.to)).sort()).toEqual([
      ['pending', 'cancelled'],
      ['pending', 'picked', 'cancelled'],
    ]);
    const pack = await reportStep(t.app, admin, shipments[0]!.id, { type: 'packed' });
    expect([pack.statusCode, errorCode(pack)]).toEqual([409, 'invalid_shipment_transition']);
    expect((await orderDetail(t.app, buyer, orderId)).order).toMatchObject({ status: 'cancelled', refund_status: 'done' });
    const again = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth, payload: { reason: 'changed my mind' } });
    expect(again.statusCode).toBe(200);
    await waitFor(() => t.ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'events drained');
    const notices = (await t.app.inject({ method: 'GET', url: '/v1/notifications?limit=100', headers: buyer.auth })).json().notifications as { kind: string; order_id: string; data: Record<string, unknown> }[];
    const aboutCancel = notices.filter((n) => n.order_id === orderId && n.kind !== 'order_placed');
    expect(aboutCancel.map((n) => n.kind).sort()).toEqual(['order_cancelled', 'order_refunded']);
    const total = (await orderDetail(t.app, buyer, orderId)).order.total;
    expect(aboutCancel.find((n) => n.kind === 'order_refunded')!.data.refund).toEqual(total);
  });

  it('refuses to cancel once packing began', async () => {
    const { orderId, shipments } = await processingOrder([stock.eastProduct, stock.westProduct], 2);
    await step(shipments[0]!.id, { type: 'picked' });
    await step(shipments[0]!.id, { type: 'packed' });
    const cancel = await t.app.inject({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, headers: buyer.auth, payload: {} });
    expect([cancel.statusCode, errorCode(cancel)]).toEqual([409, 'order_not_cancellable']);
    expect((await orderDetail(t.app, buyer, orderId)).order).toMatchObject({ status: 'processing', refund_status: 'none' });
  });

  describe('carrier webhooks', () => {
    const packedShipment = async () => {
      const { orderId, shipments: [s] } = await processingOrder([stock.eastProduct], 1);
      await step(s!.id, { type: 'picked' });
      await step(s!.id, { type: 'packed' });
      return { orderId, id: s!.id };
    };
    const historyLength = async (orderId: string) => (await shipmentsOf(orderId))[0]!.status_history.length;

    it('applies a signed report and answers a replay as a duplicate without a second transition', async () => {
      const { orderId, id } = await packedShipment();
      const body = { delivery_id: newDeliveryId(), type: 'shipped', shipment_id: id, tracking_number: tracking() };
      const timestamp = Math.floor(Date.now() / 1000);
      const first = await carrierWebhook(t.app, 'swiftship-express', body, { timestamp });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toMatchObject({ received: true, duplicate: false, changed: true, shipment_id: id, status: 'shipped' });
      const replay = await carrierWebhook(t.app, 'swiftship-express', body, { timestamp });
      expect(replay.json()).toMatchObject({ duplicate: true, changed: false, status: 'shipped' });
      // A carrier retry signs again with a new timestamp: still the same delivery.
      const retry = await carrierWebhook(t.app, 'swiftship-express', body, { timestamp: timestamp + 1 });
      expect(retry.json()).toMatchObject({ duplicate: true, changed: false });
      expect(await historyLength(orderId)).toBe(4);
      expect((await shipmentsOf(orderId))[0]).toMatchObject({ carrier: 'swiftship-express', tracking_number: body.tracking_number });

      // Delivered, by tracking number, sent five times at once: one transition.
      const delivered = { delivery_id: newDeliveryId(), type: 'delivered', tracking_number: body.tracking_number };
      const answers = await Promise.all(Array.from({ length: 5 }, () => carrierWebhook(t.app, 'swiftship-express', delivered, { timestamp })));
      expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.filter((a) => a.json().changed)).toHaveLength(1);
      expect(await historyLength(orderId)).toBe(5);
      expect(await countRows(t.ctx, 'orders', 'outbox', { aggregate_id: id, type: 'fulfillment.shipment.status_changed' })).toBe(4);
    });

    it('rejects a bad signature with 401 and changes nothing', async () => {
      const { orderId, id } = await packedShipment();
      const body = { delivery_id: newDeliveryId(), type: 'shipped', shipment_id: id, tracking_number: tracking() };
      const receipts = await countRows(t.ctx, 'orders', 'webhook_receipts');
      const attempts = [
        await carrierWebhook(t.app, 'parcelway-ground', body, { secret: 'not-the-secret' }),
        await carrierWebhook(t.app, 'parcelway-ground', body, { signature: 'sha256=00' }),
        await carrierWebhook(t.app, 'parcelway-ground', body, { secret: 'demo-swiftship-express-secret' }),
        // Signed, then tampered with on the way.
        await carrierWebhook(t.app, 'parcelway-ground', body, {
          raw: JSON.stringify({ ...body, tracking_number: 'PG000000000000' }),
          signature: (await import('../src/modules/fulfillment/index.ts')).signCarrierWebhook('demo-parcelway-ground-secret', Math.floor(Date.now() / 1000), JSON.stringify(body)),
        }),
      ];
      for (const response of attempts) expect([response.statusCode, errorCode(response)]).toEqual([401, 'invalid_signature']);
      const stale = await carrierWebhook(t.app, 'parcelway-ground', body, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      expect([stale.statusCode, errorCode(stale)]).toEqual([401, 'signature_expired']);
      const unknown = await carrierWebhook(t.app, 'pony-express', body);
      expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'carrier_not_found']);
      const unsigned = await t.app.inject({ method: 'POST', url: '/v1/webhooks/carriers/parcelway-ground', payload: body });
      expect([unsigned.statusCode, errorCode(unsigned)]).toEqual([401, 'invalid_signature']);
      expect((await shipmentsOf(orderId))[0]).toMatchObject({ status: 'packed', tracking_number: null });
      expect(await historyLength(orderId)).toBe(3);
      expect(await countRows(t.ctx, 'orders', 'webhook_receipts')).toBe(receipts);
    });

    it('validates a signed body and keeps carriers to their own parcels', async () => {
      const { id } = await packedShipment();
      const malformed = await carrierWebhook(t.app, 'parcelway-ground', {}, { raw: '{"delivery_id":' });
      expect([malformed.statusCode, errorCode(malformed)]).toEqual([400, 'malformed_json']);
      const invalid = await carrierWebhook(t.app, 'parcelway-ground', { delivery_id: newDeliveryId(), type: 'lost', tracking_number: tracking() });
      expect([invalid.statusCode, errorCode(invalid)]).toEqual([400, 'validation_failed']);
      const tracking1 = tracking();
      expect((await carrierWebhook(t.app, 'parcelway-ground', { delivery_id: newDeliveryId(), type: 'shipped', shipment_id: id, tracking_number: tracking1 })).statusCode).toBe(200);
      const other = await carrierWebhook(t.app, 'swiftship-express', { delivery_id: newDeliveryId(), type: 'delivered', shipment_id: id, tracking_number: tracking1 });
      expect([other.statusCode, errorCode(other)]).toEqual([404, 'shipment_not_found']);
      const early = await carrierWebhook(t.app, 'parcelway-ground', { delivery_id: newDeliveryId(), type: 'delivered', tracking_number: 'PG0000000001' });
      expect([early.statusCode, errorCode(early)]).toEqual([404, 'shipment_not_found']);
    });
  });

  it('shows shipments with tracking and history on the order, to its customer only', async () => {
    const { orderId, shipments: [s] } = await processingOrder([stock.westProduct], 1);
    await step(s!.id, { type: 'picked' });
    await step(s!.id, { type: 'packed' });
    const number = tracking();
    await ship(s!.id, number);
    const detail = await orderDetail(t.app, buyer, orderId);
    expect(detail.shipments).toEqual([
      expect.objectContaining({
        id: s!.id,
        warehouse_id: stock.west,
        status: 'shipped',
        carrier: 'parcelway-ground',
        tracking_number: number,
        estimated_delivery: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        shipped_at: expect.any(String),
        delivered_at: null,
        items: [expect.objectContaining({ product_id: stock.westProduct, quantity: 1 })],
      }),
    ]);
    expect(detail.shipments[0].status_history.map((h: { from: string | null; to: string; at: string }) => [h.from, h.to, typeof h.at])).toEqual([
      [null, 'pending', 'string'],
      ['pending', 'picked', 'string'],
      ['picked', 'packed', 'string'],
      ['packed', 'shipped', 'string'],
    ]);
    const stranger = await registerCustomer(t.app);
    const theirs = await t.app.inject({ method: 'GET', url: `/v1/orders/${orderId}`, headers: stranger.auth });
    expect([theirs.statusCode, errorCode(theirs)]).toEqual([404, 'order_not_found']);
  });

  it('lists my notifications only, newest first, page by page', async () => {
    await waitFor(() => t.ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'events drained');
    const all = (await t.app.inject({ method: 'GET', url: '/v1/notifications?limit=100', headers: buyer.auth })).json().notifications as {
      id: string;
      kind: string;
      created_at: string;
    }[];
    expect(all.length).toBeGreaterThan(5);
    expect(new Set(all.map((n) => n.kind))).toEqual(new Set(['order_placed', 'shipment_shipped', 'shipment_delivered', 'order_cancelled', 'order_refunded']));
    const times = all.map((n) => n.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { notifications: { id: string }[]; next_cursor: string | null } = (
        await t.app.inject({ method: 'GET', url: `/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: buyer.auth })
      ).json();
      paged.push(...page.notifications.map((n) => n.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged).toEqual(all.map((n) => n.id));
    const stranger = await registerCustomer(t.app);
    expect((await t.app.inject({ method: 'GET', url: '/v1/notifications', headers: stranger.auth })).json().notifications).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/notifications' })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/notifications?cursor=abc', headers: buyer.auth });
    expect([bad.statusCode, errorCode(bad)]).toEqual([400, 'invalid_cursor']);
  });
});
