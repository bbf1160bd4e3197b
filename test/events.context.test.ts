import { sql } from 'kysely';
import { connect } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendToOutbox, EventTypes } from '../src/modules/events/index.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { BUSES, uniquePrefix } from './helpers/events.ts';

const CASES = BACKENDS.flatMap((backend) => BUSES.map((bus) => [backend, bus] as const));

describe.each(CASES)('event runtime in the application context (%s, %s bus)', (backend, bus) => {
  let t: TestApp;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    const env: Record<string, string> = { EVENTS_POLL_INTERVAL_MS: '20', NATS_STREAM_PREFIX: prefix };
    if (bus === 'jetstream') env.NATS_URL = process.env.TEST_NATS_URL!;
    t = await createTestApp(backend, env);
  });
  afterAll(async () => {
    await t?.close();
    if (bus === 'jetstream') {
      const nc = await connect({ servers: process.env.TEST_NATS_URL! });
      await (await nc.jetstreamManager()).streams.delete(`${prefix}_EVENTS`).catch(() => false);
      await nc.close();
    }
  });

  it('delivers an order placed through the outbox to a registered consumer once the worker side starts', async () => {
    const { events, databases } = t.ctx;
    expect(events.bus).toBe(bus);
    await sql`create table placed_seen (order_id uuid primary key)`.execute(databases.main);
    events.registerConsumer({
      name: 'test.placed-seen',
      types: [EventTypes.orderPlaced],
      db: databases.main,
      async handle(event, trx) {
        await trx.insertInto('placed_seen').values({ order_id: event.payload.order_id }).execute();
      },
    });
    const orderId = newId();
    await databases.main.transaction().execute((trx) =>
      appendToOutbox(trx, {
        type: EventTypes.orderPlaced,
        aggregateType: 'order',
        aggregateId: orderId,
        payload: {
          order_id: orderId,
          customer_id: newId(),
          items: [{ product_id: newId(), warehouse_id: newId(), quantity: 1, unit_price: 1299, title: 'Kettle' }],
          total: 1299,
          currency: 'USD',
          shipping_address: { line1: '1 Main St' },
          estimated_delivery: new Date().toISOString(),
          placed_at: new Date().toISOString(),
        },
      }),
    );

    await events.start();
    let seen: unknown[] = [];
    while (seen.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      seen = await databases.main.selectFrom('placed_seen').select('order_id').execute();
    }
    expect(seen).toEqual([{ order_id: orderId }]);
  });
});
