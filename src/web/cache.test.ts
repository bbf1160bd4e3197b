import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachedResponses } from '../http/serve-cached.ts';
import { Metrics } from '../platform/metrics.ts';
import { ResponseCache } from '../platform/response-cache.ts';
import { cachedPage, type PageResult } from './cache.ts';

describe('cachedPage', () => {
  let app: FastifyInstance;
  let renders: number;
  let next: PageResult;

  beforeEach(async () => {
    renders = 0;
    next = { status: 200, contentType: 'text/html; charset=utf-8', body: '<p>page</p>', tags: ['product:1'] };
    const cache = new ResponseCache({ l1MaxBytes: 1024 * 1024, l1Seconds: 5 }, undefined, pino({ level: 'silent' }), new Metrics(false));
    app = Fastify();
    app.decorate('serveCached', new CachedResponses(cache, { staleSeconds: 5, staleIfErrorSeconds: 300, personalCookies: ['bz_session'] }).serve);
    app.get('/page', (request, reply) =>
      cachedPage(request, reply, { key: 'web:test', tags: ['list:products'], ttlSeconds: 30 }, async () => {
        renders++;
        return next;
      }),
    );
    await app.ready();
  });
  afterEach(async () => app.close());

  it('stores the page once for everybody, signed in or not, with public caching, its tags and an ETag that answers 304', async () => {
    const first = await app.inject({ url: '/page' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('public, max-age=30, s-maxage=30, stale-while-revalidate=5, stale-if-error=300');
    expect(String(first.headers['surrogate-key']).split(' ').sort()).toEqual(['list:products', 'product:1']);
    const signedIn = await app.inject({ url: '/page', headers: { cookie: 'bz_session=secret' } });
    expect(signedIn.body).toBe(first.body);
    expect(signedIn.headers['x-origin-cache']).toBe('l1');
    const revalidated = await app.inject({ url: '/page', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(revalidated.statusCode).toBe(304);
    expect(renders).toBe(1);
  });

  it('keeps a not-found page out of the origin cache and briefly in others; an error page in none', async () => {
    next = { status: 404, contentType: 'text/html; charset=utf-8', body: '<p>gone</p>' };
    const missing = await app.inject({ url: '/page' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['cache-control']).toMatch(/^public, max-age=10, s-maxage=10,/);
    await app.inject({ url: '/page' });
    expect(renders).toBe(2);
    next = { status: 503, contentType: 'text/html; charset=utf-8', body: '<p>down</p>' };
    const failed = await app.inject({ url: '/page' });
    expect(failed.headers['cache-control']).toBe('no-store');
  });
});
