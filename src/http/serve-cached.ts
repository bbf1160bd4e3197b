import type { FastifyReply, FastifyRequest } from 'fastify';
import { SURROGATE_KEY_HEADER } from '../platform/cdn-purge.ts';
import { etagOf, type CacheLookup, type CachePolicy, type RenderedResponse, type ResponseCache, type StoredResponse } from '../platform/response-cache.ts';

/**
 * How a route's response is cached. Every field but `key` and `tags` has a default from
 * the configuration.
 */
export interface CachedRoutePolicy {
  /** The normalized request: build it with `cacheKey(path, query)` so equivalent URLs share an entry. */
  key: string;
  /**
   * What invalidates the entry (letters, digits, `:_.-`). In use: `product:<id>` (the
   * product, its stock, any list showing it), `list:products` (membership of product lists),
   * `categories` (the category tree), `family:<id>` (a variation family). The cache
   * invalidator drops them on `catalog.*` and `inventory.stock.changed` events.
   */
  tags: readonly string[];
  /** Fresh this long in every layer (`max-age` and `s-maxage`). */
  ttlSeconds: number;
  /** stale-while-revalidate window (default CACHE_STALE_SECONDS). */
  staleSeconds?: number;
  /** stale-if-error window (default CACHE_STALE_IF_ERROR_SECONDS). */
  staleIfErrorSeconds?: number;
  /** Force the personal path (default: decided from the request, see `isPersonalRequest`). */
  personal?: boolean;
  /** `Vary` of shared copies (default `authorization`; a cookie-session HTML page passes `cookie`). */
  vary?: string;
}

/**
 * Serves a response through the response cache, or straight from `render` for a personal
 * request, and answers `If-None-Match` with 304 from the stored ETag.
 *
 * ```ts
 * app.get('/p/:slug', async (request, reply) =>
 *   app.serveCached(request, reply, { key: cacheKey(`/p/${slug}`), tags: [`product:${id}`], ttlSeconds: 20, vary: 'cookie' },
 *     async () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: renderPage(...) })));
 * ```
 *
 * Rules that keep personal data out of shared entries:
 * - a request is personal when it is signed in (`request.principal`), carries an
 *   `Authorization` header, or a session cookie (`personalCookies`); it is never looked up
 *   nor stored, and is sent `Cache-Control: private, no-cache` unless `render` says otherwise;
 * - for an anonymous request `render` must not depend on anything but the key: no cart
 *   count, no delivery promise, no CSRF token in the body;
 * - a rendered response with `Set-Cookie`, a non-2xx status or a private/no-store
 *   `Cache-Control` is sent but never stored;
 * - errors thrown by `render` are not cached (the error handler answers them).
 *
 * Shared copies are sent `Cache-Control: public, max-age, s-maxage, stale-while-revalidate,
 * stale-if-error`, `Age`, `Vary`, `Surrogate-Key: <tags>` (for the CDN's tag bans) and
 * `X-Origin-Cache: l1|l2|render|stale|bypass`.
 */
export type ServeCached = (request: FastifyRequest, reply: FastifyReply, policy: CachedRoutePolicy, render: () => Promise<RenderedResponse>) => Promise<FastifyReply>;

declare module 'fastify' {
  interface FastifyInstance {
    serveCached: ServeCached;
  }
}

export interface ServeCachedOptions {
  staleSeconds: number;
  staleIfErrorSeconds: number;
  /** Cookies that make a request personal (a session), e.g. the storefront's session cookie. */
  personalCookies?: readonly string[];
  now?: () => number;
}

/** `path?a=1&b=2` with the parameters sorted and empty ones dropped, so `?b=2&a=1` and `?a=1&b=2&c=` share one entry. */
export function cacheKey(path: string, query: Record<string, unknown> = {}): string {
  const parts: string[] = [];
  for (const name of Object.keys(query).sort()) {
    const value = query[name];
    if (value === undefined || value === null || value === '') continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length === 0 ? path : `${path}?${parts.join('&')}`;
}

/** Signed in, an Authorization header, or one of the session cookies. */
export function isPersonalRequest(request: FastifyRequest, personalCookies: readonly string[] = []): boolean {
  if (request.principal !== undefined || request.headers.authorization !== undefined) return true;
  const cookie = request.headers.cookie;
  if (!cookie || personalCookies.length === 0) return false;
  return cookie.split(';').some((pair) => personalCookies.includes(pair.split('=', 1)[0]!.trim()));
}

/** If-None-Match uses weak comparison: `W/` prefixes are ignored, `*` matches anything. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** The response cache as the HTTP layer uses it: serving requests, and priming entries (cache warming). */
export class CachedResponses {
  private readonly now: () => number;

  constructor(
    readonly cache: ResponseCache,
    private readonly options: ServeCachedOptions,
  ) {
    this.now = options.now ?? cache.now;
  }

  readonly serve: ServeCached = async (request, reply, policy, render) => {
    if (policy.personal ?? isPersonalRequest(request, this.options.personalCookies)) {
      this.cache.counters.bypass.count++;
      return sendPersonal(request, reply, await render());
    }
    const lookup = await this.cache.lookup(this.cachePolicy(policy), this.sharedRender(policy, render));
    return sendStored(request, reply, lookup, this.now());
  };

  /** Renders and stores the anonymous response now, whatever is cached. */
  async prime(policy: CachedRoutePolicy, render: () => Promise<RenderedResponse>): Promise<StoredResponse> {
    return this.cache.prime(this.cachePolicy(policy), this.sharedRender(policy, render));
  }

  private cachePolicy(policy: CachedRoutePolicy): CachePolicy {
    return {
      key: policy.key,
      tags: policy.tags,
      ttlSeconds: policy.ttlSeconds,
      staleSeconds: policy.staleSeconds ?? this.options.staleSeconds,
      errorSeconds: policy.staleIfErrorSeconds ?? this.options.staleIfErrorSeconds,
    };
  }

  private sharedRender(policy: CachedRoutePolicy, render: () => Promise<RenderedResponse>): () => Promise<RenderedResponse> {
    const staleSeconds = policy.staleSeconds ?? this.options.staleSeconds;
    const errorSeconds = policy.staleIfErrorSeconds ?? this.options.staleIfErrorSeconds;
    return async () => {
      const rendered = await render();
      return { ...rendered, headers: sharedHeaders(rendered, policy, staleSeconds, errorSeconds) };
    };
  }
}

function sharedHeaders(rendered: RenderedResponse, policy: CachedRoutePolicy, staleSeconds: number, errorSeconds: number): Record<string, string> {
  const ttl = rendered.ttlSeconds ?? policy.ttlSeconds;
  return {
    'cache-control': `public, max-age=${ttl}, s-maxage=${ttl}, stale-while-revalidate=${staleSeconds}, stale-if-error=${errorSeconds}`,
    vary: policy.vary ?? 'authorization',
    [SURROGATE_KEY_HEADER]: [...policy.tags, ...(rendered.tags ?? [])].join(' '),
    ...rendered.headers,
  };
}

function sendStored(request: FastifyRequest, reply: FastifyReply, lookup: CacheLookup, now: number): FastifyReply {
  const response = lookup.response;
  const { vary, ...headers } = response.headers;
  reply.headers(headers);
  if (vary) addVary(reply, vary);
  reply
    .header('content-type', response.contentType)
    .header('etag', response.etag)
    .header('age', String(Math.max(0, Math.floor((now - response.storedAt) / 1000))))
    .header('x-origin-cache', lookup.stale ? 'stale' : lookup.source);
  if (response.status === 200 && etagMatches(request.headers['if-none-match'], response.etag)) return reply.code(304).send();
  return reply.code(response.status).send(response.body);
}

function sendPersonal(request: FastifyRequest, reply: FastifyReply, rendered: RenderedResponse): FastifyReply {
  const body = typeof rendered.body === 'string' ? Buffer.from(rendered.body) : rendered.body;
  const etag = etagOf(body);
  reply.header('cache-control', 'private, no-cache');
  addVary(reply, 'authorization, cookie');
  if (rendered.headers) reply.headers(rendered.headers);
  reply.header('content-type', rendered.contentType).header('etag', etag).header('x-origin-cache', 'bypass');
  if (rendered.status === 200 && etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.code(rendered.status).send(body);
}

/** Adds to `Vary` instead of replacing it: CORS has already said the answer varies by `Origin`. */
function addVary(reply: FastifyReply, value: string): void {
  const present = reply.getHeader('vary');
  if (present === undefined) {
    reply.header('vary', value);
    return;
  }
  const names = new Set(String(present).split(',').map((name) => name.trim()).filter(Boolean));
  const lower = new Set([...names].map((name) => name.toLowerCase()));
  for (const name of value.split(',').map((n) => n.trim())) if (name && !lower.has(name.toLowerCase())) names.add(name);
  reply.header('vary', [...names].join(', '));
}
