import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendToOutbox, listDeadLetters, listOutbox, type EventOf, type OutboxEvent } from '../src/modules/events/index.ts';
import { BACKENDS } from './helpers/databases.ts';
import { BUSES, createEventsFixture, newOrderId, streamMessageCount, type EventsFixture } from './helpers/events.ts';

const CASES = BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

describe.each(CASES)('event delivery (%s, %s bus)', (backend, bus) => {
  let f: EventsFixture;
  beforeAll(async () => {
    f = await createEventsFixture(backend, bus);
  });
  afterEach(async () => f.reset());
  afterAll(async () => f?.close());

  const allPublished = async () => (await listOutbox(f.databases.main)).every((row) => row.published_at !== null);

  it('delivers events appended in one transaction in order per aggregate, each applied once', async () => {
    const a = newOrderId();
    const b = newOrderId();
    const ids = await f.databases.main.transaction().execute(async (trx) => [
      ...(await f.appendSteps(trx, a, 3)),
      ...(await f.appendSteps(trx, b, 3)),
    ]);
    ids.push(...(await f.appendSteps(f.databases.main, a, 2, 3)));

    const runtime = f.runtime();
    f.recordingConsumer(runtime);
    await runtime.start();
    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= ids.length, 'all events applied');

    expect(effects.map((e) => e.event_id).sort()).toEqual([...ids].sort());
    expect(effects.filter((e) => e.aggregate_id === a).map((e) => e.step)).toEqual([1, 2, 3, 4, 5]);
    expect(effects.filter((e) => e.aggregate_id === b).map((e) => e.step)).toEqual([1, 2, 3]);
    expect(await f.waitFor(allPublished, Boolean, 'outbox marked published')).toBe(true);
  });

  it('never publishes the event of a rolled-back transaction', async () => {
    let rolledBack: string | undefined;
    await expect(
      f.databases.main.transaction().execute(async (trx) => {
        [rolledBack] = await f.appendSteps(trx, newOrderId(), 1);
        throw new Error('business rule failed after the event was written');
      }),
    ).rejects.toThrow('business rule failed');
    const [committed] = await f.appendSteps(f.databases.main, newOrderId(), 1);

    const runtime = f.runtime();
    f.recordingConsumer(runtime);
    await runtime.start();
    await f.waitFor(() => f.effects(), (e) => e.length >= 1, 'committed event applied');
    for (const job of runtime.jobs.filter((j) => j.name.startsWith('events.relay'))) await job.run();

    expect(rolledBack).toBeDefined();
    expect((await listOutbox(f.databases.main)).map((r) => r.id)).toEqual([committed]);
    expect((await f.effects()).map((e) => e.event_id)).toEqual([committed]);
  });

  it('survives a relay crash between publish and mark: the duplicate publish is applied once', async () => {
    const published: string[][] = [];
    let crashes = 0;
    const runtime = f.runtime({
      hooks: {
        afterPublish(events) {
          published.push(events.map((e) => e.id));
          if (crashes++ === 0) throw new Error('relay killed before marking sent');
        },
      },
    });
    f.recordingConsumer(runtime);
    const ids = await f.appendSteps(f.databases.main, newOrderId(), 4);
    await runtime.start();
    await f.waitFor(allPublished, Boolean, 'outbox marked published after the crash');
    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= ids.length, 'events applied');

    expect(published.slice(0, 2)).toEqual([ids, ids]);
    expect(effects.map((e) => e.event_id)).toEqual(ids);
    if (bus === 'jetstream') {
      // The re-publish carried the same msgID, so the stream kept one copy of each event.
      expect(await streamMessageCount(f.config.natsUrl!, `${f.config.natsStreamPrefix}_EVENTS`)).toBe(ids.length);
    }
  });

  it('redelivers to a new process when a consumer dies after applying but before acking, and applies once', async () => {
    const [id] = await f.appendSteps(f.databases.main, newOrderId(), 1);
    const seen: { runtime: number; applied: boolean }[] = [];
    const crashing = f.runtime({
      hooks: {
        afterHandle(_consumer, event, { applied }) {
          seen.push({ runtime: 1, applied });
          throw new Error(`process died before acking ${event.id}`);
        },
      },
    });
    f.recordingConsumer(crashing);
    await crashing.start();
    await f.waitFor(async () => seen.length, (n) => n >= 1, 'first delivery');
    await crashing.close();

    const restarted = f.runtime({ hooks: { afterHandle: (_c, _e, { applied }) => void seen.push({ runtime: 2, applied }) } });
    f.recordingConsumer(restarted);
    await restarted.start();
    await f.waitFor(async () => seen.length, (n) => n >= 2, 'redelivery after the ack wait');

    expect(seen.slice(0, 2)).toEqual([
      { runtime: 1, applied: true },
      { runtime: 2, applied: false },
    ]);
    expect((await f.effects()).map((e) => e.event_id)).toEqual([id]);
    await f.waitFor(async () => (await restarted.lag())[0]!.pending, (n) => n === 0, 'nothing left pending');
  });

  it('retries a failing handler with backoff, then dead-letters it without blocking the aggregate', async () => {
    const order = newOrderId();
    const [poison, flaky, after] = await f.appendSteps(f.databases.main, order, 3);
    const failures = new Map<string, number>();
    const runtime = f.runtime();
    f.recordingConsumer(runtime, 'recorder', (eventId) => {
      failures.set(eventId, (failures.get(eventId) ?? 0) + 1);
      return eventId === poison || (eventId === flaky && failures.get(eventId)! < 2);
    });
    await runtime.start();
    const effects = await f.waitFor(() => f.effects(), (e) => e.length >= 2, 'events after the poison one applied');

    expect(effects.map((e) => e.event_id)).toEqual([flaky, after]);
    expect(failures.get(poison!)).toBe(3);
    const dead = await listDeadLetters(f.databases.main, 'recorder');
    expect(dead).toEqual([expect.objectContaining({ eventId: poison, attempts: 3, lastError: `refusing ${poison}`, type: 'orders.order.status_changed' })]);
  });

  it('replays published events: consumers that applied them skip, a new consumer catches up', async () => {
    const since = new Date(Date.now() - 60_000);
    const ids = await f.appendSteps(f.databases.main, newOrderId(), 3);
    const seen: { consumer: string; applied: boolean }[] = [];
    const runtime = f.runtime({ hooks: { afterHandle: (consumer, _e, { applied }) => void seen.push({ consumer, applied }) } });
    f.recordingConsumer(runtime, 'recorder');
    await runtime.start();
    await f.waitFor(() => f.effects('recorder'), (e) => e.length >= 3, 'first delivery');

    f.recordingConsumer(runtime, 'late-joiner');
    await expect(runtime.replay({ since, consumer: 'nobody' })).rejects.toMatchObject({ code: 'unknown_consumer' });
    expect(await runtime.replay({ since: new Date(Date.now() + 60_000) })).toEqual({ events: 0 });
    expect(await runtime.replay({ since })).toEqual({ events: 3 });
    await f.waitFor(() => f.effects('late-joiner'), (e) => e.length >= 3, 'late joiner caught up');
    await f.waitFor(async () => seen.filter((s) => s.consumer === 'recorder' && !s.applied).length, (n) => n >= 3, 'duplicates skipped');

    expect((await f.effects('recorder')).map((e) => e.event_id)).toEqual(ids);
    expect((await f.effects('late-joiner')).map((e) => e.event_id)).toEqual(ids);
  });

  it('reports lag: pending events and the age of the oldest, in lag() and in the gauges', async () => {
    const later = { now: () => new Date(Date.now() + 120_000) };
    await f.appendSteps(f.databases.main, newOrderId(), 2);
    await f.appendSteps(f.databases.main, newOrderId(), 3);
    const runtime = f.runtime({ clock: later });
    f.recordingConsumer(runtime);

    const [held] = await runtime.lag();
    expect(held).toMatchObject({ consumer: 'recorder', pending: 5, unpublished: 5, onBus: 0 });
    expect(held!.oldestAgeSeconds).toBeGreaterThanOrEqual(110);
    expect(await f.metrics.registry.getSingleMetricAsString('bazaar_events_consumer_pending')).toContain('bazaar_events_consumer_pending{consumer="recorder"} 5');

    for (const job of runtime.jobs.filter((j) => j.name.startsWith('events.relay'))) await job.run();
    const [relayed] = await runtime.lag();
    expect(relayed).toMatchObject({ pending: 5, unpublished: 0, onBus: 5 });
    expect(relayed!.oldestAgeSeconds).toBeGreaterThanOrEqual(110);

    await runtime.start();
    await f.waitFor(() => f.effects(), (e) => e.length >= 5, 'all applied');
    const drained = await f.waitFor(async () => (await runtime.lag())[0]!, (l) => l.pending === 0, 'lag drained');
    expect(drained).toMatchObject({ pending: 0, oldestAgeSeconds: 0, unpublished: 0, onBus: 0 });
    expect(await f.metrics.registry.getSingleMetricAsString('bazaar_events_consumer_oldest_age_seconds')).toContain('{consumer="recorder"} 0');
  });

  it('hands plain consumers (here a class using `this`) the typed event of their subscribed types', async () => {
    class Listener {
      readonly name = 'plain.listener';
      readonly types = ['orders.order.status_changed'] as const;
      readonly received: OutboxEvent[] = [];
      async handle(event: EventOf<'orders.order.status_changed'>) {
        this.received.push(event);
      }
    }
    const listener = new Listener();
    const received = listener.received;
    const runtime = f.runtime();
    runtime.registerConsumer(listener);
    await appendToOutbox(f.databases.main, {
      type: 'catalog.product.updated',
      aggregateType: 'product',
      aggregateId: newOrderId(),
      payload: { product_id: newOrderId(), seller_id: newOrderId(), change: 'created', status: 'active', price_amount: 100, currency: 'USD' },
    });
    const [id] = await f.appendSteps(f.databases.main, newOrderId(), 1);
    await runtime.start();
    await f.waitFor(async () => received.length, (n) => n >= 1, 'delivery');
    expect(received[0]).toMatchObject({ id, type: 'orders.order.status_changed', version: 1, aggregateType: 'order', payload: { to: '1' } });
    expect(received[0]!.occurredAt).toBeInstanceOf(Date);
    await f.waitFor(allPublished, Boolean, 'product event relayed too');
    expect(received).toHaveLength(1);
  });
});
