import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox } from '../src/modules/events/index.ts';
import { BACKENDS } from './helpers/databases.ts';
import { closedPort, createEventsFixture, newOrderId, type EventsFixture } from './helpers/events.ts';
import { CuttableProxy } from './helpers/proxy.ts';

const NATS_URL = process.env.TEST_NATS_URL;

const allUnpublished = async (f: EventsFixture) => (await listOutbox(f.databases.main)).every((r) => r.published_at === null);

describe.skipIf(!NATS_URL).each(BACKENDS)('events while NATS is unreachable (%s)', (backend) => {
  let f: EventsFixture;
  beforeAll(async () => {
    f = await createEventsFixture(backend, 'jetstream');
  });
  afterEach(async () => f.reset());
  afterAll(async () => f?.close());

  it('keeps events in the outbox while NATS is down and delivers every one, in order, once it is back', async () => {
    const down = f.runtime({ env: { NATS_URL: `nats://127.0.0.1:${await closedPort()}` } });
    f.recordingConsumer(down);
    await down.start();
    const orders = [newOrderId(), newOrderId(), newOrderId()];
    const ids: string[] = [];
    for (const order of orders) ids.push(...(await f.appendSteps(f.databases.main, order, 2)));
    for (const relay of down.jobs.filter((j) => j.name.startsWith('events.relay'))) expect(await relay.run()).toBe(0);

    expect(await allUnpublished(f)).toBe(true);
    expect(await down.lag()).toEqual([expect.objectContaining({ consumer: 'recorder', pending: 6, unpublished: 6, onBus: null })]);
    await down.close();

    const up = f.runtime();
    f.recordingConsumer(up);
    await up.start();
    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= ids.length, 'all events delivered');
    expect(effects.map((e) => e.event_id).sort()).toEqual([...ids].sort());
    for (const order of orders) expect(effects.filter((e) => e.aggregate_id === order).map((e) => e.step)).toEqual([1, 2]);
  });

  it('holds events appended while the connection is cut mid-run and delivers them after it reconnects', async () => {
    const proxy = new CuttableProxy(new URL(NATS_URL!), await closedPort());
    await proxy.open();
    const runtime = f.runtime({ env: { NATS_URL: `nats://127.0.0.1:${proxy.port}` } });
    f.recordingConsumer(runtime);
    await runtime.start();
    const order = newOrderId();
    const before = await f.appendSteps(f.databases.main, order, 2);
    await f.waitFor(() => f.effects(), (e) => e.length >= 2, 'delivery before the cut');

    await proxy.cut();
    try {
      const during = await f.appendSteps(f.databases.main, order, 3, 2);
      const relays = runtime.jobs.filter((j) => j.name.startsWith('events.relay'));
      const held = (await Promise.all(relays.map((relay) => relay.run()))) as number[];
      expect(held.reduce((a, b) => a + b, 0)).toBe(0);
      expect((await listOutbox(f.databases.main)).filter((r) => r.published_at === null).map((r) => r.id)).toEqual(during);
      expect((await f.effects()).map((e) => e.event_id)).toEqual(before);

      await proxy.open();
      const effects = await f.waitFor(() => f.effects(), (e) => e.length >= 5, 'delivery after reconnecting', 60_000);
      expect(effects.map((e) => e.event_id)).toEqual([...before, ...during]);
      expect(effects.map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await runtime.close();
      await proxy.cut();
    }
  });
});
