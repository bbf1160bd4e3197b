import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { BUSES, uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, countRows, deleteStream, FAST_LIFECYCLE, placeOrder, splitStock, waitFor } from './helpers/lifecycle.ts';
import { createBuyer, FAST_PAYMENTS } from './helpers/shop.ts';
import { describeEach, NEEDS_POSTGRES } from './helpers/suites.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const NATS_URL = process.env.TEST_NATS_URL;
const ORDERS = 8;
const CASES = CONCURRENT_BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** `bazaar worker --simulate-fulfillment` as a process of its own, as in production. */
function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(TSX, ['src/cli/main.ts', 'worker', '--simulate-fulfillment'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function stopWorker(worker: WorkerProcess): Promise<number | null> {
  if (worker.child.exitCode !== null) return worker.child.exitCode;
  worker.child.kill('SIGTERM');
  const timeout = setTimeout(() => worker.child.kill('SIGKILL'), 30_000);
  const code = await worker.exited;
  clearTimeout(timeout);
  return code;
}

// Several processes on one database need a server: PostgreSQL only.
describeEach(
  CASES,
  NEEDS_POSTGRES,
  'API and two worker processes on one database (%s, %s bus)',
  (backend, bus) => {
    let t: TestApp;
    const workers: WorkerProcess[] = [];
    const prefix = uniquePrefix();
    const busEnv: Record<string, string> = bus === 'jetstream' ? { NATS_URL: NATS_URL!, NATS_STREAM_PREFIX: prefix } : { NATS_STREAM_PREFIX: prefix };

    beforeAll(async () => {
      if (bus === 'jetstream') await assertNatsReachable();
      // The API: this process, which never starts the event runtime (the serve role).
      t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, ...busEnv });
      const urls = t.databases.urls!;
      for (let i = 0; i < 2; i++) {
        workers.push(
          spawnWorker({
            ...FAST_PAYMENTS,
            ...FAST_LIFECYCLE,
            ...busEnv,
            DATABASE_URL: urls.main,
            ...(urls.inventory !== urls.main ? { INVENTORY_DATABASE_URL: urls.inventory } : {}),
            ...(urls.orders !== urls.main ? { ORDERS_DATABASE_URL: urls.orders } : {}),
            EVENTS_POLL_INTERVAL_MS: '50',
            DB_POOL_SIZE: '5',
            LOG_LEVEL: 'warn',
          }),
        );
      }
    });
    afterAll(async () => {
      const codes = await Promise.all(workers.map(stopWorker));
      await t?.close();
      if (bus === 'jetstream') await deleteStream(prefix);
      expect(codes, workers.map((w) => w.output.join('')).join('\n---\n')).toEqual([0, 0]);
    });

    it('applies every event exactly once in effect: none twice, none lost', async () => {
      const stock = await splitStock(t.ctx);
      const buyer = await createBuyer(t.app);
      let parcels = 0;
      for (let i = 0; i < ORDERS; i++) {
        const split = i % 2 === 0;
        await placeOrder(t.app, buyer, split ? [stock.eastProduct, stock.westProduct] : [stock.westProduct]);
        parcels += split ? 2 : 1;
      }
      const { orders, main } = t.ctx.databases;
      const delivered = () => countRows(t.ctx, 'orders', 'orders', { status: 'delivered' });
      await waitFor(delivered, (n) => n === ORDERS, 'every order delivered by the worker processes', 120_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${workers.map((w) => w.output.join('')).join('\n---\n')}`);
      });
      const expectedNotifications = ORDERS + 2 * parcels;
      await waitFor(() => countRows(t.ctx, 'main', 'notifications'), (n) => n >= expectedNotifications, 'every notification', 60_000);
      await waitFor(() => t.ctx.events.lag(), (lag) => lag.every((l) => l.pending === 0), 'consumers caught up', 60_000);

      // One order transition per status per order: processing exactly once, and so on.
      const transitions = await orders.selectFrom('order_status_history').select(['order_id', 'to_status']).execute();
      expect(transitions).toHaveLength(ORDERS * 5);
      for (const status of ['placed', 'processing', 'packed', 'shipped', 'delivered']) {
        expect(transitions.filter((r) => r.to_status === status), status).toHaveLength(ORDERS);
      }
      // One shipment per warehouse of each order, each through each status once.
      expect(await countRows(t.ctx, 'orders', 'shipments')).toBe(parcels);
      expect(await countRows(t.ctx, 'orders', 'shipments', { status: 'delivered' })).toBe(parcels);
      expect(await countRows(t.ctx, 'orders', 'shipment_status_history')).toBe(parcels * 5);
      expect(await countRows(t.ctx, 'orders', 'outbox', { type: 'fulfillment.shipment.created' })).toBe(parcels);
      expect(await countRows(t.ctx, 'orders', 'outbox', { type: 'fulfillment.shipment.status_changed' })).toBe(parcels * 4);
      // One notification per state change, and every notifying event handled (none lost).
      expect(await countRows(t.ctx, 'main', 'notifications')).toBe(expectedNotifications);
      const notifying = await orders
        .selectFrom('outbox')
        .select('id')
        .where('type', 'in', ['orders.order.placed', 'orders.order.cancelled', 'fulfillment.shipment.status_changed'])
        .execute();
      const handled = await main.selectFrom('processed_events').select('event_id').where('consumer', '=', 'notifications.customer').execute();
      expect(handled.map((h) => h.event_id).sort()).toEqual(notifying.map((e) => e.id).sort());
      const placedHandled = await orders.selectFrom('processed_events').select('event_id').where('consumer', '=', 'fulfillment.orders').execute();
      expect(placedHandled).toHaveLength(ORDERS);
      expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    });
  },
);
