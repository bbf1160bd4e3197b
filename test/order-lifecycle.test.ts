import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../src/app/context.ts';
import { startWorker, type RunningWorker } from '../src/app/worker.ts';
import { buildApp } from '../src/http/app.ts';
import { listOutbox } from '../src/modules/events/index.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createTestApp, type Session, type TestApp } from './helpers/app.ts';
import { BACKENDS, createTestDatabases, type TestDatabases } from './helpers/databases.ts';
import { BUSES, closedPort, uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, countRows, deleteStream, FAST_LIFECYCLE, orderDetail, placeOrder, splitStock, waitFor } from './helpers/lifecycle.ts';
import { createBuyer, FAST_PAYMENTS } from './helpers/shop.ts';

const NATS_URL = process.env.TEST_NATS_URL;
const CASES = BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

interface Notification {
  kind: string;
  order_id: string;
  shipment_id: string | null;
  data: Record<string, unknown>;
}

const notificationsOf = async (app: FastifyInstance, session: Session): Promise<Notification[]> =>
  (await app.inject({ method: 'GET', url: '/v1/notifications?limit=100', headers: session.auth })).json().notifications;

const drained = (ctx: AppContext) => waitFor(() => ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'every consumer caught up');

/**
 * Every order delivered, each order and shipment through each status exactly once, and
 * one notification per customer-visible change: placed, and per parcel shipped (with its
 * tracking number) and delivered.
 */
async function expectDelivered(app: FastifyInstance, ctx: AppContext, buyer: Session, orders: { id: string; parcels: number }[]) {
  for (const order of orders) {
    const detail = await waitFor(() => orderDetail(app, buyer, order.id), (d) => d.order.status === 'delivered', `order ${order.id} delivered`);
    expect(detail.status_history.map((h: { to: string }) => h.to)).toEqual(['placed', 'processing', 'packed', 'shipped', 'delivered']);
    expect(detail.shipments).toHaveLength(order.parcels);
    for (const s of detail.shipments) {
      expect(s).toMatchObject({ status: 'delivered', carrier: expect.any(String), tracking_number: expect.any(String), shipped_at: expect.any(String), delivered_at: expect.any(String) });
      expect(s.status_history.map((h: { to: string }) => h.to)).toEqual(['pending', 'picked', 'packed', 'shipped', 'delivered']);
    }
  }
  const expected = orders.reduce((n, o) => n + 1 + 2 * o.parcels, 0);
  await waitFor(() => notificationsOf(app, buyer), (n) => n.length >= expected, 'every notification');
  await drained(ctx);
  const notifications = await notificationsOf(app, buyer);
  expect(notifications).toHaveLength(expected);
  for (const order of orders) {
    const mine = notifications.filter((n) => n.order_id === order.id);
    expect(mine.filter((n) => n.kind === 'order_placed')).toHaveLength(1);
    const shipments = (await orderDetail(app, buyer, order.id)).shipments as { id: string; tracking_number: string }[];
    for (const s of shipments) {
      const shipped = mine.filter((n) => n.kind === 'shipment_shipped' && n.shipment_id === s.id);
      expect(shipped).toHaveLength(1);
      expect(shipped[0]!.data.tracking_number).toBe(s.tracking_number);
      expect(mine.filter((n) => n.kind === 'shipment_delivered' && n.shipment_id === s.id)).toHaveLength(1);
    }
  }
  expect(await countRows(ctx, 'main', 'notifications', { customer_id: buyer.accountId })).toBe(expected);
}

describe.each(CASES)('an order from checkout to delivery (%s, %s bus)', (backend, bus) => {
  let t: TestApp;
  let worker: RunningWorker;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    if (bus === 'jetstream') await assertNatsReachable();
    t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, NATS_STREAM_PREFIX: prefix, ...(bus === 'jetstream' ? { NATS_URL: NATS_URL! } : {}) });
    worker = await startWorker(t.ctx, { simulateFulfillment: true });
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    if (bus === 'jetstream') await deleteStream(prefix);
  });

  it('is played through by the simulator: placed → delivered, one notification per change', async () => {
    expect(t.ctx.events.bus).toBe(bus);
    const stock = await splitStock(t.ctx);
    const buyer = await createBuyer(t.app);
    const split = await placeOrder(t.app, buyer, [stock.eastProduct, stock.westProduct]);
    const single = await placeOrder(t.app, buyer, [stock.westProduct]);
    await expectDelivered(t.app, t.ctx, buyer, [
      { id: split, parcels: 2 },
      { id: single, parcels: 1 },
    ]);
  });
});

describe.skipIf(!NATS_URL).each(BACKENDS)('checkouts while NATS is unreachable (%s)', (backend) => {
  let databases: TestDatabases;
  const prefix = uniquePrefix();
  const open: { ctx: AppContext; app: FastifyInstance; worker: RunningWorker }[] = [];

  const start = async (natsUrl: string) => {
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PGLITE_PATH: 'memory://',
      RATE_LIMIT_PER_MINUTE: '100000',
      ...FAST_PAYMENTS,
      ...FAST_LIFECYCLE,
      NATS_URL: natsUrl,
      NATS_STREAM_PREFIX: prefix,
    });
    const ctx = await createContext(config, { databases, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), collectDefaultMetrics: false });
    const app = await buildApp(ctx);
    await app.ready();
    const worker = await startWorker(ctx, { simulateFulfillment: true });
    const running = { ctx, app, worker };
    open.push(running);
    return running;
  };
  const stop = async (running: (typeof open)[number]) => {
    open.splice(open.indexOf(running), 1);
    await running.worker.stop();
    await running.app.close();
    await running.ctx.close();
  };

  beforeAll(async () => {
    await assertNatsReachable();
    databases = await createTestDatabases(backend);
  });
  afterAll(async () => {
    for (const running of [...open]) await stop(running);
    await databases?.close();
    await deleteStream(prefix);
  });

  it('takes orders while the bus is down (the outbox holds the events) and delivers everything once it is back', async () => {
    const down = await start(`nats://127.0.0.1:${await closedPort()}`);
    const stock = await splitStock(down.ctx);
    const buyer = await createBuyer(down.app);
    const orders = [
      { id: await placeOrder(down.app, buyer, [stock.eastProduct, stock.westProduct]), parcels: 2 },
      { id: await placeOrder(down.app, buyer, [stock.eastProduct]), parcels: 1 },
      { id: await placeOrder(down.app, buyer, [stock.westProduct]), parcels: 1 },
    ];
    for (const relay of down.ctx.events.jobs.filter((j) => j.name.startsWith('events.relay'))) expect(await relay.run()).toBe(0);
    const placed = (await listOutbox(databases.orders, { type: 'orders.order.placed' })).filter((r) => orders.some((o) => o.id === r.aggregate_id));
    expect(placed.map((r) => r.published_at)).toEqual([null, null, null]);
    for (const order of orders) expect((await orderDetail(down.app, buyer, order.id)).order.status).toBe('placed');
    await stop(down);

    const up = await start(NATS_URL!);
    await expectDelivered(up.app, up.ctx, buyer, orders);
  });
});
