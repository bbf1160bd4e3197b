import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listOutbox, type EventRuntime } from '../src/modules/events/index.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { BACKENDS } from './helpers/databases.ts';
import { createEventsFixture, newOrderId, type EventsFixture } from './helpers/events.ts';

/** The in-process bus driven job by job, with a manual clock: no timers, no waiting. */
describe.each(BACKENDS)('in-process bus, step by step (%s)', (backend) => {
  let f: EventsFixture;
  beforeAll(async () => {
    f = await createEventsFixture(backend, 'in-process');
  });
  afterEach(async () => f.reset());
  afterAll(async () => f?.close());

  const step = (runtime: EventRuntime, kind: 'relay' | 'dispatch') => async () => {
    let total = 0;
    for (const job of runtime.jobs.filter((j) => j.name.startsWith(`events.${kind}:`))) total += (await job.run()) as number;
    return total;
  };

  it('delivers the duplicate of a relay that crashed between publish and mark, and the consumer applies it once', async () => {
    const seen: boolean[] = [];
    let crashes = 0;
    const runtime = f.runtime({
      hooks: {
        afterPublish() {
          if (crashes++ === 0) throw new Error('relay killed before marking sent');
        },
        afterHandle: (_c, _e, { applied }) => void seen.push(applied),
      },
    });
    f.recordingConsumer(runtime);
    const relay = step(runtime, 'relay');
    const dispatch = step(runtime, 'dispatch');
    const ids = await f.appendSteps(f.databases.main, newOrderId(), 2);

    await expect(relay()).rejects.toThrow('relay killed before marking sent');
    expect((await listOutbox(f.databases.main)).every((r) => r.published_at === null)).toBe(true);
    expect(await dispatch()).toBe(2);
    expect(await relay()).toBe(2);
    expect(await dispatch()).toBe(2);

    expect(seen).toEqual([true, true, false, false]);
    expect((await f.effects()).map((e) => e.event_id)).toEqual(ids);
    expect(await relay()).toBe(0);
    expect(await dispatch()).toBe(0);
  });

  it('redelivers an unacknowledged event only once its ack wait has passed', async () => {
    const clock = new ManualClock();
    const seen: boolean[] = [];
    const runtime = f.runtime({
      clock,
      hooks: {
        afterHandle(_c, _e, { applied }) {
          seen.push(applied);
          if (seen.length === 1) throw new Error('died before acking');
        },
      },
    });
    f.recordingConsumer(runtime);
    const [id, next] = await f.appendSteps(f.databases.main, newOrderId(), 2);
    await step(runtime, 'relay')();
    const dispatch = step(runtime, 'dispatch');

    expect(await dispatch()).toBe(1);
    clock.advance(f.config.eventsAckWaitMs - 1);
    expect(await dispatch()).toBe(0);
    clock.advance(2);
    expect(await dispatch()).toBe(2);

    expect(seen).toEqual([true, false, true]);
    expect((await f.effects()).map((e) => e.event_id)).toEqual([id, next]);
  });

  it('holds a failed event and the rest of its aggregate back until the retry backoff has passed', async () => {
    const clock = new ManualClock();
    let failNext = true;
    const runtime = f.runtime({ clock });
    f.recordingConsumer(runtime, 'recorder', () => {
      const fail = failNext;
      failNext = false;
      return fail;
    });
    const first = newOrderId();
    const other = newOrderId();
    const ids = await f.appendSteps(f.databases.main, first, 2);
    const [unrelated] = await f.appendSteps(f.databases.main, other, 1);
    await step(runtime, 'relay')();
    const dispatch = step(runtime, 'dispatch');

    expect(await dispatch()).toBe(2);
    expect((await f.effects()).map((e) => e.event_id)).toEqual([unrelated]);
    clock.advance(f.config.eventsRetryBaseMs - 1);
    expect(await dispatch()).toBe(0);
    clock.advance(1);
    expect(await dispatch()).toBe(2);
    expect((await f.effects()).map((e) => e.event_id)).toEqual([unrelated, ...ids]);
  });
});
