import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { randomToken } from '../src/platform/ids.ts';
import { Metrics } from '../src/platform/metrics.ts';
import { ResponseCache } from '../src/platform/response-cache.ts';
import { bodyOf, flush, memoryLogger, policy, renderer } from '../src/platform/response-cache.fixtures.ts';
import { RedisResponseStore } from '../src/platform/response-cache.redis.ts';
import { closedPort } from './helpers/events.ts';
import { CuttableProxy } from './helpers/proxy.ts';

const REDIS_URL = process.env.TEST_REDIS_URL;

describe.skipIf(!REDIS_URL)('response cache with Redis as the shared level', () => {
  const prefix = `test:${randomToken(6)}:`;
  const clients: Redis[] = [];
  const client = async (url = REDIS_URL!) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    redis.on('error', () => {});
    clients.push(redis);
    await new Promise((resolve, reject) => {
      redis.once('ready', resolve);
      setTimeout(() => reject(new Error(`TEST_REDIS_URL=${url} is set but Redis did not answer`)), 3000);
    });
    return redis;
  };
  const process = (redis: Redis, logger = pino({ level: 'silent' })) =>
    new ResponseCache({ l1MaxBytes: 1024 * 1024, l1Seconds: 5, l2RetryMs: 50 }, new RedisResponseStore(redis, prefix), logger, new Metrics(false));

  afterAll(async () => {
    const keys = await clients[0]!.keys(`${prefix}*`);
    if (keys.length > 0) await clients[0]!.del(...keys);
    for (const redis of clients) redis.disconnect();
  });

  it('shares entries between processes and invalidates them for all', async () => {
    const [a, b] = [process(await client()), process(await client())];
    const r = renderer();
    expect((await a.lookup(policy('s1'), r.render)).source).toBe('render');
    expect((await b.lookup(policy('s1'), r.render)).source).toBe('l2');
    await a.invalidate(['product:s1']);
    b.invalidateLocal(['product:s1']);
    r.body = 'v2';
    const after = await b.lookup(policy('s1'), r.render);
    expect([after.source, bodyOf(after), r.calls]).toEqual(['render', 'v2', 2]);
  });

  it('does not store in Redis a render that an invalidation from another process overtook', async () => {
    const [a, b] = [process(await client()), process(await client())];
    const r = renderer();
    r.hold();
    const racing = a.lookup(policy('s2'), r.render);
    await flush();
    await b.invalidate(['product:s2']);
    r.release();
    expect(bodyOf(await racing)).toBe('v1');
    expect(a.counters.racedInvalidation.count).toBe(1);
    expect((await process(await client()).lookup(policy('s2'), renderer('v3').render)).source).toBe('render');
  });

  it('keeps serving from the process and the database while Redis is unreachable, with one log line per outage', async () => {
    const proxy = new CuttableProxy(new URL(REDIS_URL!), await closedPort());
    await proxy.open();
    const { logger, lines } = memoryLogger();
    const cache = process(await client(`redis://127.0.0.1:${proxy.port}`), logger);
    const r = renderer();
    expect((await cache.lookup(policy('s3'), r.render)).source).toBe('render');
    await proxy.cut();
    for (let i = 0; i < 20; i++) {
      const key = `s3-${i % 4}`;
      const lookup = await cache.lookup(policy(key), r.render);
      expect(bodyOf(lookup)).toBe('v1');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(cache.counters.l2Error.count).toBeGreaterThan(0);
    const warnings = lines.filter((l) => l.msg.includes('shared response cache unreachable'));
    expect(warnings).toHaveLength(1);
  });
});
