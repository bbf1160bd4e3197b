import { describe, expect, it } from 'vitest';
import { ConfigError, DEMO_CARRIER_WEBHOOK_SECRETS, loadConfig } from './config.ts';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it("keeps the browse caches' worst-case staleness within the spec's 30 s for availability by default", () => {
    const { productCacheSeconds, cacheStaleSeconds, cdnPurgeUrls } = loadConfig({});
    // Fresh at the origin, stale while refreshing there, and once more in a CDN that got it late.
    expect(productCacheSeconds + 2 * cacheStaleSeconds).toBeLessThanOrEqual(30);
    expect(cdnPurgeUrls).toEqual([]);
    expect(loadConfig({ CDN_PURGE_URLS: 'http://10.0.0.5:6081, https://cdn.example.com' }).cdnPurgeUrls).toEqual(['http://10.0.0.5:6081', 'https://cdn.example.com']);
    expect(problemsOf({ CDN_PURGE_URLS: 'varnish:6081' })).toContain('CDN_PURGE_URLS');
  });

  it('starts with no variables set: embedded database, in-process bus, sandbox conveniences', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, databaseUrl: undefined, natsUrl: undefined, reservationTtlSeconds: 600, production: false, challengeTimeoutMs: 3000 });
    expect(config.carrierWebhookSecrets).toEqual(DEMO_CARRIER_WEBHOOK_SECRETS);
  });

  it('names every bad variable at once', () => {
    const message = problemsOf({ PORT: 'eighty', RESERVATION_TTL_SECONDS: '0', DATABASE_URL: 'mysql://db/shop', REDIS_URL: 'not a url', LOG_LEVEL: 'loud' });
    for (const name of ['PORT', 'RESERVATION_TTL_SECONDS', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) expect(message).toContain(name);
    expect(message).toContain('DATABASE_URL must start with postgres:// or postgresql://');
  });

  it('refuses settings that only make sense together', () => {
    expect(problemsOf({ ORDERS_DATABASE_URL: 'postgres://db/orders' })).toContain('need DATABASE_URL as well');
    expect(problemsOf({ CHALLENGE_VERIFY_URL: 'https://challenges.example/siteverify' })).toContain('CHALLENGE_VERIFY_URL needs CHALLENGE_SECRET');
    expect(problemsOf({ CHALLENGE_VERIFY_URL: 'ftp://challenges.example/siteverify', CHALLENGE_SECRET: 's' })).toContain('CHALLENGE_VERIFY_URL must start with https:// or http://');
  });

  it('turns the demo conveniences off in production', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config.production).toBe(true);
    expect(config.carrierWebhookSecrets).toEqual({});
  });

  it('takes the topology settings: a read replica only with a primary, several NATS nodes, a Sentinel URL', () => {
    expect(problemsOf({ DATABASE_READ_URL: 'postgres://r/db' })).toContain('DATABASE_READ_URL needs DATABASE_URL');
    expect(loadConfig({ DATABASE_URL: 'postgres://p/db', DATABASE_READ_URL: 'postgres://r/db' }).databaseReadMaxLagSeconds).toBe(5);
    expect(loadConfig({ NATS_URL: 'nats://a:4222, nats://b:4222', NATS_STREAM_REPLICAS: '3' })).toMatchObject({ natsUrl: 'nats://a:4222,nats://b:4222', natsStreamReplicas: 3 });
    expect(problemsOf({ NATS_URL: 'nats://a:4222,http://b' })).toContain('NATS_URL');
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://:secret@10.0.0.1:26379,10.0.0.2:26379/shop' }).redisUrl).toContain('redis+sentinel://');
    expect(problemsOf({ REDIS_URL: 'redis+sentinel://10.0.0.1/shop' })).toContain('REDIS_URL');
  });
});
