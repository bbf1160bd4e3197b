import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';
import { ResponseCache, type RenderedResponse } from './response-cache.ts';
import { bodyOf, flush, memoryLogger, policy, renderer } from './response-cache.fixtures.ts';

class Clock {
  t = 1_000_000;
  now = () => this.t;
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}

describe('response cache, in-process level', () => {
  let clock: Clock;
  let metrics: Metrics;
  let cache: ResponseCache;
  beforeEach(() => {
    clock = new Clock();
    metrics = new Metrics(false);
    cache = new ResponseCache({ l1MaxBytes: 1024 * 1024, l1Seconds: 5, now: clock.now }, undefined, pino({ level: 'silent' }), metrics);
  });

  it('serves the stored bytes and ETag without rendering again', async () => {
    const r = renderer();
    const first = await cache.lookup(policy('a'), r.render);
    const second = await cache.lookup(policy('a'), r.render);
    expect([first.source, second.source, r.calls]).toEqual(['render', 'l1', 1]);
    expect(second.response.body).toBe(first.response.body);
    expect(second.response.etag).toMatch(/^W\/".+"$/);
  });

  it('renders once for 200 concurrent misses of one key', async () => {
    const r = renderer();
    r.hold();
    const lookups = Array.from({ length: 200 }, () => cache.lookup(policy('hot'), r.render));
    await flush();
    r.release();
    const results = await Promise.all(lookups);
    expect(r.calls).toBe(1);
    expect(new Set(results.map((l) => l.response))).toHaveProperty('size', 1);
  });

  it('past freshness serves the stale copy while exactly one refresh runs', async () => {
    const r = renderer();
    await cache.lookup(policy('a'), r.render);
    clock.advance(21);
    r.body = 'v2';
    r.hold();
    const stale = await Promise.all(Array.from({ length: 50 }, () => cache.lookup(policy('a'), r.render)));
    expect(stale.every((l) => l.stale && bodyOf(l) === 'v1')).toBe(true);
    r.release();
    await flush();
    expect(r.calls).toBe(2);
    const fresh = await cache.lookup(policy('a'), r.render);
    expect([fresh.stale, bodyOf(fresh)]).toEqual([false, 'v2']);
  });

  it('refreshes a hot entry late in its freshness, so it is never served stale', async () => {
    const r = renderer();
    await cache.lookup(policy('a'), r.render);
    clock.advance(17);
    r.body = 'v2';
    const late = await cache.lookup(policy('a'), r.render);
    expect([late.stale, bodyOf(late)]).toEqual([false, 'v1']);
    await flush();
    clock.advance(5);
    const next = await cache.lookup(policy('a'), r.render);
    expect([next.stale, bodyOf(next), r.calls]).toEqual([false, 'v2', 2]);
  });

  it('serves the kept copy when rendering fails, until stale-if-error runs out, logging once, not per request', async () => {
    const { logger, lines } = memoryLogger();
    cache = new ResponseCache({ l1MaxBytes: 1024 * 1024, l1Seconds: 5, now: clock.now }, undefined, logger, metrics);
    const r = renderer();
    await cache.lookup(policy('a'), r.render);
    r.fail = true;
    clock.advance(60);
    for (let i = 0; i < 20; i++) {
      const kept = await cache.lookup(policy('a'), r.render);
      expect([kept.stale, bodyOf(kept)]).toEqual([true, 'v1']);
    }
    expect(lines.filter((l) => l.msg.includes('rendering failed'))).toHaveLength(1);
    clock.advance(300);
    await expect(cache.lookup(policy('a'), r.render)).rejects.toThrow('database down');
  });

  it('drops every entry carrying an invalidated tag, and only those', async () => {
    const r = renderer();
    await cache.lookup(policy('p1', ['product:1', 'list:products']), r.render);
    await cache.lookup(policy('p2', ['product:2']), r.render);
    await cache.lookup(policy('list', ['list:products']), r.render);
    await cache.invalidate(['list:products']);
    const again = await Promise.all(['p1', 'p2', 'list'].map((key) => cache.lookup(policy(key, key === 'p2' ? ['product:2'] : ['list:products']), r.render)));
    expect(again.map((l) => l.source)).toEqual(['render', 'l1', 'render']);
  });

  it('serves a render that raced an invalidation of its tag but does not keep it', async () => {
    const r = renderer();
    r.hold();
    const racing = cache.lookup(policy('a'), r.render);
    await flush();
    await cache.invalidate(['product:a']);
    r.body = 'v2';
    const after = cache.lookup(policy('a'), r.render);
    r.release();
    expect(bodyOf(await racing)).toBe('v1');
    expect(bodyOf(await after)).toBe('v2');
    const next = await cache.lookup(policy('a'), r.render);
    expect([next.source, bodyOf(next)]).toEqual(['l1', 'v2']);
  });

  it('never keeps responses that set cookies, are private, or are not 2xx', async () => {
    const variants: RenderedResponse[] = [
      { status: 200, contentType: 'text/html', body: 'hi', headers: { 'set-cookie': 'sid=1' } },
      { status: 200, contentType: 'text/html', body: 'hi', headers: { 'cache-control': 'private, no-store' } },
      { status: 404, contentType: 'text/html', body: 'gone' },
    ];
    for (const [i, rendered] of variants.entries()) {
      let calls = 0;
      const render = async () => (calls++, rendered);
      await cache.lookup(policy(`k${i}`), render);
      const second = await cache.lookup(policy(`k${i}`), render);
      expect([second.source, calls]).toEqual(['render', 2]);
    }
  });

  it('keeps the in-process level within its byte bound', async () => {
    const own = new Metrics(false);
    const small = new ResponseCache({ l1MaxBytes: 64 * 1024, l1Seconds: 5, now: clock.now }, undefined, pino({ level: 'silent' }), own);
    const big = 'x'.repeat(4000);
    for (let i = 0; i < 100; i++) await small.lookup(policy(`k${i}`), async () => ({ status: 200, contentType: 'text/plain', body: big }));
    expect(small.counters.renders.count).toBe(100);
    const bytes = Number(/bazaar_cache_l1_bytes (\d+)/.exec(await own.registry.metrics())?.[1]);
    expect(bytes).toBeGreaterThan(40 * 1024);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect((await small.lookup(policy('k0'), async () => ({ status: 200, contentType: 'text/plain', body: big }))).source).toBe('render');
  });

  it('reports lookups and the hit ratio on /metrics', async () => {
    const r = renderer();
    for (let i = 0; i < 20; i++) await cache.lookup(policy('a'), r.render);
    const text = await metrics.registry.metrics();
    expect(text).toContain('bazaar_cache_requests_total{layer="l1",result="hit"} 19');
    expect(text).toContain('bazaar_cache_requests_total{layer="l1",result="miss"} 1');
    expect(text).toContain('bazaar_cache_hit_ratio{layer="all"} 0.95');
    expect(text).toContain('bazaar_cache_renders_total 1');
  });
});

