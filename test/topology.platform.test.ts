/**
 * The platform on the production topology's engines, each a private server of this test:
 * PgBouncer in transaction mode (singleton locks and parameterised statements still behave),
 * a streaming replica behind DATABASE_READ_URL (used while healthy, skipped while down or
 * lagging, never for transactions), and Redis behind Sentinel (a failover is followed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from '../src/platform/cache.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createPostgresKysely, openDatabases, type Databases } from '../src/platform/database.ts';
import { withAdvisoryLock } from '../src/platform/jobs.ts';
import {
  redisCli,
  startPgBouncer,
  startPostgresPrimary,
  startPostgresReplica,
  startRedisWithSentinels,
  stopAll,
  waitUntil,
  type PgBouncer,
  type Postgres,
  type RedisSentinelSet,
  missingTopologyPrograms,
} from '../deploy/local-cluster/servers.ts';

const missing = missingTopologyPrograms();
if (missing.length > 0) console.warn(`topology suites skipped: ${missing.join(', ')} not installed (TEST_TOPOLOGY=1 makes this an error)`);
const topology = missing.length === 0;

const port = async (db: Databases['read']) => (await sql<{ port: number }>`select inet_server_port() as port`.execute(db)).rows[0]!.port;

describe.skipIf(!topology)('on PgBouncer in transaction mode', () => {
  let primary: Postgres;
  let bouncer: PgBouncer;

  beforeAll(async () => {
    primary = await startPostgresPrimary();
    bouncer = await startPgBouncer(primary, { poolSize: 2 });
  });
  afterAll(async () => {
    await stopAll([bouncer, primary]);
    for (const dir of [bouncer?.dir, primary && path.dirname(primary.dataDir)]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lets exactly one of several processes run a singleton job, and frees the lock after each run', async () => {
    const pools = [createPostgresKysely(bouncer.url(), 4), createPostgresKysely(bouncer.url(), 4), createPostgresKysely(bouncer.url(), 4)];
    try {
      let running = 0;
      let maxRunning = 0;
      const job = async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        // The job's own statements go through the same poolers meanwhile.
        for (let i = 0; i < 5; i++) await sql`select pg_sleep(0.02)`.execute(pools[0]!);
        running--;
      };
      const ran = await Promise.all(pools.map((db) => withAdvisoryLock(db, 4242, job)));
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect(maxRunning).toBe(1);
      // No advisory lock survives the run on any server connection (a session lock would).
      const direct = createPostgresKysely(primary.url(), 1);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory'`.execute(direct);
      await direct.destroy();
      expect(rows[0]!.n).toBe(0);
      // Sequential runs from every process each win it again.
      for (const db of pools) expect(await withAdvisoryLock(db, 4242, async () => undefined)).toBe(true);
    } finally {
      await Promise.all(pools.map((db) => db.destroy()));
    }
  });

  it('runs parameterised statements and transactions from many clients over two server connections', async () => {
    const db = createPostgresKysely(bouncer.url(), 20);
    try {
      await sql`create table if not exists bouncer_probe (id int primary key, v text)`.execute(db);
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) => sql<{ v: string }>`select ${`value-${i}`}::text || '' as v, ${i}::int as i`.execute(db).then((r) => r.rows[0]!.v)),
      );
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => `value-${i}`));
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          db.transaction().execute(async (trx) => {
            await sql`insert into bouncer_probe (id, v) values (${i}, ${'a'})`.execute(trx);
            await sql`update bouncer_probe set v = ${`b${i}`} where id = ${i}`.execute(trx);
          }),
        ),
      );
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from bouncer_probe where v like 'b%'`.execute(db);
      expect(rows[0]!.n).toBe(40);
    } finally {
      await db.destroy();
    }
  });
});

describe.skipIf(!topology)('with a streaming replica as DATABASE_READ_URL', () => {
  let primary: Postgres;
  let replica: Postgres;
  let databases: Databases;

  beforeAll(async () => {
    primary = await startPostgresPrimary();
    replica = await startPostgresReplica(primary);
    databases = await openDatabases(loadConfig({ DATABASE_URL: primary.url(), DATABASE_READ_URL: replica.url(), DATABASE_READ_MAX_LAG_SECONDS: '2', DB_POOL_SIZE: '3' }));
  });
  afterAll(async () => {
    await databases?.close();
    await stopAll([replica, primary]);
    if (primary) fs.rmSync(path.dirname(primary.dataDir), { recursive: true, force: true });
  });

  it('sends browse reads to the replica while it keeps up, and every transaction and non-browse read to the primary', async () => {
    await waitUntil('replica in use', async () => databases.replica!().usable);
    expect(await port(databases.read)).toBe(replica.port);
    expect(await port(databases.main)).toBe(primary.port);
    expect(await port(databases.inventory)).toBe(primary.port);
    expect(await port(databases.orders)).toBe(primary.port);
    const inTransaction = await databases.read.transaction().execute((trx) => port(trx));
    expect(inTransaction).toBe(primary.port);
  });

  it('falls back to the primary while the replica lags beyond the bound, and returns when it caught up', async () => {
    await waitUntil('replica in use', async () => databases.replica!().usable);
    const pauser = createPostgresKysely(replica.url(), 1);
    try {
      await sql`select pg_wal_replay_pause()`.execute(pauser);
      await sql`create table if not exists lag_probe (n int)`.execute(databases.main);
      // Keep writing: the replica falls further behind each second.
      await waitUntil('replica reported lagging', async () => {
        await sql`insert into lag_probe values (1)`.execute(databases.main);
        return databases.replica!().reason === 'lagging';
      }, 20_000);
      expect(await port(databases.read)).toBe(primary.port);
      await sql`select pg_wal_replay_resume()`.execute(pauser);
      await waitUntil('replica in use again', async () => databases.replica!().usable, 20_000);
      expect(await port(databases.read)).toBe(replica.port);
    } finally {
      await sql`select pg_wal_replay_resume()`.execute(pauser).catch(() => undefined);
      await pauser.destroy();
    }
  });

  it('answers reads from the primary without an error while the replica is down, and uses it again once it is back', async () => {
    await waitUntil('replica in use', async () => databases.replica!().usable);
    await replica.stop('SIGKILL');
    // The first statement after the crash meets the dead connection and is run again on the primary.
    for (let i = 0; i < 5; i++) expect(await port(databases.read)).toBe(primary.port);
    expect(databases.replica!().usable).toBe(false);
    await replica.start();
    await waitUntil('replica in use again', async () => databases.replica!().usable, 30_000);
    expect(await port(databases.read)).toBe(replica.port);
  });
});

describe.skipIf(!topology)('with Redis behind Sentinel', () => {
  let set: RedisSentinelSet;

  beforeAll(async () => {
    set = await startRedisWithSentinels();
  });
  afterAll(async () => {
    await stopAll(set?.all() ?? []);
    if (set) fs.rmSync(set.dir, { recursive: true, force: true });
  });

  it('reads REDIS_SENTINELS / REDIS_SENTINEL_NAME as a redis+sentinel:// URL', () => {
    expect(loadConfig({ REDIS_SENTINELS: 'a:1,b:2', REDIS_SENTINEL_NAME: 'shop' }).redisUrl).toBe('redis+sentinel://a:1,b:2/shop');
    expect(() => loadConfig({ REDIS_SENTINELS: 'a' })).toThrow(/REDIS_SENTINELS/);
    expect(() => loadConfig({ REDIS_URL: 'redis+sentinel://a:1' })).toThrow(/REDIS_URL/);
  });

  it('follows a failover: writes go to the promoted replica, also after a switch that leaves the old primary up as a read-only replica', async () => {
    const redis = createRedis(`redis+sentinel://${set.sentinelList}/bazaar`);
    redis.on('error', () => {});
    try {
      await waitUntil('client ready', async () => redis.status === 'ready');
      await redis.set('probe', 'one');
      const first = await set.currentPrimaryPort();
      // A planned switch: the old primary stays up and turns read-only.
      await redisCli(set.sentinels[0]!.port, 'SENTINEL', 'failover', 'bazaar');
      await waitUntil('sentinels name a new primary', async () => (await set.currentPrimaryPort()) !== first, 30_000);
      await waitUntil('writes accepted after the switch', async () => (await redis.set('probe', 'two')) === 'OK', 30_000);
      expect(await redis.get('probe')).toBe('two');
      // A crash: the new primary dies; the Sentinels promote the other node.
      const second = await set.currentPrimaryPort();
      const victim = [set.primary, set.replica].find((n) => n.port === second)!;
      await victim.stop('SIGKILL');
      await waitUntil('sentinels promote the survivor', async () => (await set.currentPrimaryPort()) !== second, 30_000);
      await waitUntil('writes accepted after the crash', async () => (await redis.set('probe', 'three').catch(() => 'no')) === 'OK', 30_000);
      expect(await redis.get('probe')).toBe('three');
    } finally {
      redis.disconnect();
    }
  });
});
