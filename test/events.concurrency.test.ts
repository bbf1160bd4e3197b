import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { listOutbox } from '../src/modules/events/index.ts';
import { Metrics } from '../src/platform/metrics.ts';
import { CONCURRENT_BACKENDS } from './helpers/databases.ts';
import { BUSES, createEventsFixture, newOrderId, type EventsFixture } from './helpers/events.ts';
import { describeEach, NEEDS_POSTGRES } from './helpers/suites.ts';

const CASES = CONCURRENT_BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

async function publishedTotal(metrics: Metrics): Promise<number> {
  const metric = await metrics.registry.getSingleMetric('bazaar_events_published_total')?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

// Real concurrency needs a PostgreSQL server (PGlite is one connection); without one the suite is skipped, not absent.
describeEach(CASES, NEEDS_POSTGRES, 'events under concurrency (%s, %s bus)', (backend, bus) => {
  let f: EventsFixture;
  beforeAll(async () => {
    f = await createEventsFixture(backend, bus);
  });
  afterEach(async () => f.reset());
  afterAll(async () => f?.close());

  it('publishes a lower seq that commits after a higher one was published (no high-water mark)', async () => {
    const runtime = f.runtime();
    f.recordingConsumer(runtime);
    const relay = runtime.jobs.find((j) => j.name.startsWith('events.relay'))!;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let appended!: () => void;
    const written = new Promise<void>((resolve) => (appended = resolve));
    const slow = f.databases.main.transaction().execute(async (trx) => {
      const ids = await f.appendSteps(trx, newOrderId(), 1);
      appended();
      await gate;
      return ids;
    });
    await written;
    const [fast] = await f.appendSteps(f.databases.main, newOrderId(), 1);
    expect(await relay.run()).toBe(1);
    release();
    const [late] = await slow;

    const outbox = await listOutbox(f.databases.main);
    expect(outbox.find((r) => r.id === late)!.seq).toBeLessThan(outbox.find((r) => r.id === fast)!.seq);
    expect(await relay.run()).toBe(1);
    await runtime.start();
    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= 2, 'both delivered');
    expect(effects.map((e) => e.event_id).sort()).toEqual([fast, late].sort());
  });

  it('two worker processes apply every event once, in order per aggregate, with one relay publishing', async () => {
    const metrics = [new Metrics(false), new Metrics(false)];
    const workers = metrics.map((m) => f.runtime({ metrics: m }));
    for (const worker of workers) f.recordingConsumer(worker);
    await Promise.all(workers.map((w) => w.start()));

    const orders = Array.from({ length: 20 }, newOrderId);
    const ids = (
      await Promise.all(
        orders.map(async (order) => {
          const mine: string[] = [];
          for (let step = 0; step < 10; step += 2) mine.push(...(await f.appendSteps(f.databases.main, order, 2, step)));
          return mine;
        }),
      )
    ).flat();

    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= ids.length, 'all events applied', 60_000);
    await f.waitFor(async () => (await listOutbox(f.databases.main)).every((r) => r.published_at !== null), Boolean, 'outbox drained');
    expect(effects).toHaveLength(ids.length);
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(ids.length);
    for (const order of orders) {
      expect(effects.filter((e) => e.aggregate_id === order).map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    const published = (await Promise.all(metrics.map(publishedTotal))).reduce((a, b) => a + b, 0);
    expect(published).toBe(ids.length);
  });
});
