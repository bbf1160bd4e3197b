import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { BUSES, uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, deleteStream, FAST_LIFECYCLE, placeOrder, splitStock, waitFor } from './helpers/lifecycle.ts';
import { freePort } from './helpers/processes.ts';
import { startBazaar, type ServingProcess } from './helpers/serving-processes.ts';
import { createBuyer, FAST_PAYMENTS } from './helpers/shop.ts';
import { describeEach, NEEDS_POSTGRES } from './helpers/suites.ts';

const ORDERS = 3;
const CASES = CONCURRENT_BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

/** `name{consumer="…"} value` lines of a Prometheus text page, by consumer. */
function perConsumer(page: string, name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const match of page.matchAll(new RegExp(`^${name}\\{consumer="([^"]+)"\\} (\\S+)$`, 'gm'))) values.set(match[1]!, Number(match[2]));
  return values;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) });
  expect(response.status).toBe(200);
  return response.text();
}

// `serve` and `worker` as separate processes on one database: a server topology, PostgreSQL only.
describeEach(CASES, NEEDS_POSTGRES, 'consumer lag seen from the API and from the worker (%s, %s bus)', (backend, bus) => {
  let t: TestApp;
  let api: ServingProcess;
  let worker: ServingProcess | undefined;
  const prefix = uniquePrefix();
  const busEnv: Record<string, string> = bus === 'jetstream' ? { NATS_URL: process.env.TEST_NATS_URL!, NATS_STREAM_PREFIX: prefix } : { NATS_STREAM_PREFIX: prefix };
  let env: Record<string, string>;

  beforeAll(async () => {
    if (bus === 'jetstream') await assertNatsReachable();
    // This test process places the orders and never starts the event runtime.
    t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, ...busEnv }, { split: false });
    env = { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, ...busEnv, DATABASE_URL: t.databases.urls!.main, DB_POOL_SIZE: '5', EVENTS_POLL_INTERVAL_MS: '50', SEARCH_SYNC_INTERVAL_MS: '60000' };
    api = await startBazaar('serve', ['serve'], env);
  }, 120_000);

  afterAll(async () => {
    const codes = [await worker?.stop(), await api?.stop()];
    await t?.close();
    if (bus === 'jetstream') await deleteStream(prefix);
    expect(codes, `${worker?.output()}\n---\n${api?.output()}`).toEqual([0, 0]);
  });

  it('shows the backlog on the API before any worker runs, and both processes agree it is gone once a worker drains it', { timeout: 300_000 }, async () => {
    const stock = await splitStock(t.ctx);
    const buyer = await createBuyer(t.app);
    for (let i = 0; i < ORDERS; i++) await placeOrder(t.app, buyer, [stock.eastProduct]);

    // Nothing consumes yet: the API process, which never runs a consumer, reports the backlog from the outbox.
    const before = await scrape(api.url);
    const pending = perConsumer(before, 'bazaar_events_consumer_pending');
    expect(pending.get('fulfillment.orders'), before).toBe(ORDERS);
    expect(perConsumer(before, 'bazaar_events_consumer_oldest_age_seconds').get('fulfillment.orders')).toBeGreaterThan(0);
    expect([...pending.keys()].sort()).toEqual(t.ctx.events.consumers().sort());

    const port = await freePort();
    worker = await startBazaar('worker', ['worker'], { ...env, WORKER_PORT: String(port) }, { port });
    expect((await fetch(`${worker.url}/readyz`, { signal: AbortSignal.timeout(20_000) })).status).toBe(200);
    const caughtUp = (page: string) => [...perConsumer(page, 'bazaar_events_consumer_pending').values()];
    for (const process of [api, worker]) {
      const page = await waitFor(async () => (await new Promise((r) => setTimeout(r, 250)), scrape(process.url)), (p) => caughtUp(p).length > 0 && caughtUp(p).every((n) => n === 0), `${process.name} sees every consumer caught up`, 90_000);
      expect([...perConsumer(page, 'bazaar_events_consumer_oldest_age_seconds').values()].every((n) => n === 0)).toBe(true);
    }
    // The worker's own listener serves its process figures too.
    expect(await scrape(worker.url)).toContain('bazaar_process_cpu_seconds_total');
    expect((await t.ctx.events.lag()).every((l) => l.pending === 0)).toBe(true);
  });
});
