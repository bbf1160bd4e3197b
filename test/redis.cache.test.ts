import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis, RedisCache, redisReady } from '../src/platform/cache.ts';
import { assertRedisReachable, deleteKeysUnder, keysUnder, NEEDS_REDIS, REDIS_CASES, startOwnRedis, uniqueRedisPrefix } from './helpers/redis.ts';
import { describeEach } from './helpers/suites.ts';

describeEach(REDIS_CASES, NEEDS_REDIS, 'the Redis cache (%s)', (url) => {
  const prefix = uniqueRedisPrefix();
  let redis: Redis;
  let cache: RedisCache;
  beforeAll(async () => {
    await assertRedisReachable(url);
    redis = createRedis(url);
    expect(await redisReady(redis, 5000)).toBe(true);
    cache = new RedisCache(redis, `${prefix}cache:`);
  });
  afterAll(async () => {
    await deleteKeysUnder(url, prefix);
    redis?.disconnect();
  });

  it('stores JSON under its prefix with a TTL, reads it back and deletes it', async () => {
    await cache.set('product:1', { title: 'Skillet', price: { amount: 2999, currency: 'USD' } }, 30);
    expect(await cache.get('product:1')).toEqual({ title: 'Skillet', price: { amount: 2999, currency: 'USD' } });
    expect(await keysUnder(url, prefix)).toEqual([`${prefix}cache:product:1`]);
    const ttl = await redis.ttl(`${prefix}cache:product:1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    await cache.delete('product:1');
    expect(await cache.get('product:1')).toBeUndefined();
    await cache.set('never', 1, 0);
    expect(await cache.get('never')).toBeUndefined();
  });

  it('is shared by processes with the same prefix and separate for another prefix', async () => {
    const other = createRedis(url);
    await redisReady(other, 5000);
    try {
      const sameShop = new RedisCache(other, `${prefix}cache:`);
      const otherShop = new RedisCache(other, `${uniqueRedisPrefix()}cache:`);
      await cache.set('availability:p', 'in_stock', 30);
      expect(await sameShop.get('availability:p')).toBe('in_stock');
      expect(await otherShop.get('availability:p')).toBeUndefined();
    } finally {
      other.disconnect();
    }
  });

  it('degrades to a miss, never an error, while Redis is down, and recovers', async () => {
    const own = await startOwnRedis();
    const client = createRedis(own.url);
    await redisReady(client, 5000);
    const errors: unknown[] = [];
    const flaky = new RedisCache(client, 'x:', (error) => errors.push(error));
    try {
      await flaky.set('k', 'v', 30);
      expect(await flaky.get('k')).toBe('v');
      await own.stop();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await flaky.get('k')).toBeUndefined();
      await expect(flaky.set('k', 'w', 30)).resolves.toBeUndefined();
      await expect(flaky.delete('k')).resolves.toBeUndefined();
      expect(errors.length).toBeGreaterThan(0);
      await own.start();
      let back: unknown;
      for (let i = 0; i < 100 && back !== 'again'; i++) {
        await flaky.set('k', 'again', 30);
        back = await flaky.get('k');
        if (back !== 'again') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(back).toBe('again');
    } finally {
      client.disconnect();
      await own.close();
    }
  });
});
