import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { BACKENDS, CONCURRENT_BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { applyOnce, isProcessed } from './consumers.repository.ts';
import { eventsSchema } from './index.ts';

async function setup(backend: (typeof BACKENDS)[number]): Promise<TestDatabases> {
  const databases = await createTestDatabases(backend);
  await migrateToLatest(databases, [eventsSchema]);
  await sql`create table counter (event_id uuid not null)`.execute(databases.main);
  return databases;
}

const count = async (databases: TestDatabases) => (await databases.main.selectFrom('counter').selectAll().execute()).length;
const bump = (eventId: string) => async (trx: Parameters<Parameters<typeof applyOnce>[3]>[0]) => {
  await trx.insertInto('counter').values({ event_id: eventId }).execute();
};

describe.each(BACKENDS)('applyOnce (%s)', (backend) => {
  let databases: TestDatabases;
  beforeAll(async () => {
    databases = await setup(backend);
  });
  beforeEach(async () => {
    await sql`truncate counter, processed_events`.execute(databases.main);
  });
  afterAll(async () => databases?.close());

  it('applies an event once per consumer; the second application is a no-op', async () => {
    const eventId = newId();
    expect(await applyOnce(databases.main, 'c1', eventId, bump(eventId))).toBe(true);
    expect(await applyOnce(databases.main, 'c1', eventId, bump(eventId))).toBe(false);
    expect(await applyOnce(databases.main, 'c2', eventId, bump(eventId))).toBe(true);
    expect(await count(databases)).toBe(2);
  });

  it('records nothing when the effect fails, so the retry applies it', async () => {
    const eventId = newId();
    await expect(
      applyOnce(databases.main, 'c1', eventId, async (trx) => {
        await bump(eventId)(trx);
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await isProcessed(databases.main, 'c1', eventId)).toBe(false);
    expect(await count(databases)).toBe(0);
    expect(await applyOnce(databases.main, 'c1', eventId, bump(eventId))).toBe(true);
    expect(await count(databases)).toBe(1);
  });

  it('joins a transaction it is given: rolling that back forgets the event too', async () => {
    const eventId = newId();
    await expect(
      databases.main.transaction().execute(async (trx) => {
        await applyOnce(trx, 'c1', eventId, bump(eventId));
        throw new Error('outer work failed');
      }),
    ).rejects.toThrow('outer work failed');
    expect(await isProcessed(databases.main, 'c1', eventId)).toBe(false);
    expect(await count(databases)).toBe(0);
  });
});

describe.each(CONCURRENT_BACKENDS)('applyOnce under concurrency (%s)', (backend) => {
  let databases: TestDatabases;
  beforeAll(async () => {
    databases = await setup(backend);
  });
  afterAll(async () => databases?.close());

  it('lets exactly one of several concurrent deliveries of an event apply it', async () => {
    const eventId = newId();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        applyOnce(databases.main, 'c1', eventId, async (trx) => {
          await sql`select pg_sleep(0.02)`.execute(trx);
          await bump(eventId)(trx);
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await count(databases)).toBe(1);
  });
});
