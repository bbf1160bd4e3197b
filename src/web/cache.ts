import type { FastifyReply, FastifyRequest } from 'fastify';

/** What a page render produces; the body is what the shared caches store. */
export interface PageResult {
  status: number;
  contentType: string;
  body: string;
  /** Tags learnt while rendering (the products a list shows, a product's family and siblings), added to the policy's. */
  tags?: string[];
}

export interface CachePolicy {
  /** Identifies the response among all shared pages, e.g. `web:product:<id>`; equal keys mean equal bodies. */
  key: string;
  /** What the page shows, for invalidation by event (see `CacheTags`); the render may add more. */
  tags: string[];
  /** Fresh lifetime in every cache layer. */
  ttlSeconds: number;
  /** How long a stale copy may be served while it is refreshed (default CACHE_STALE_SECONDS). */
  staleWhileRevalidateSeconds?: number;
}

/** A page that says "not found" may be cached, but briefly: the product may be published in a minute. */
export const NOT_FOUND_TTL_SECONDS = 10;

/**
 * The one way a shared-cacheable page (home, category, search, product) is answered: through
 * the platform's response cache (in-process L1, Redis L2, single-flight, stale-while-revalidate,
 * invalidation by tags, `If-None-Match` → 304 from the stored ETag), so a hit costs a lookup
 * and a write of bytes.
 *
 * The render function must not look at who is asking — no cookie, no principal, nothing
 * personal — because its body is served to everybody, signed in or not (the personal parts
 * come from `GET /web/api/me` after load). That is why these pages are never treated as
 * personal even when a session cookie comes with the request. A not-found page is kept
 * briefly; an error page is never stored.
 */
export async function cachedPage(
  request: FastifyRequest,
  reply: FastifyReply,
  policy: CachePolicy,
  render: () => Promise<PageResult>,
): Promise<FastifyReply> {
  return reply.server.serveCached(
    request,
    reply,
    {
      key: policy.key,
      tags: policy.tags,
      ttlSeconds: policy.ttlSeconds,
      ...(policy.staleWhileRevalidateSeconds !== undefined ? { staleSeconds: policy.staleWhileRevalidateSeconds } : {}),
      personal: false,
      vary: 'accept-encoding',
    },
    async () => {
      const result = await render();
      return {
        status: result.status,
        contentType: result.contentType,
        body: result.body,
        ...(result.tags ? { tags: result.tags } : {}),
        ...(result.status >= 500 ? { headers: { 'cache-control': 'no-store' } } : result.status !== 200 ? { ttlSeconds: Math.min(policy.ttlSeconds, NOT_FOUND_TTL_SECONDS) } : {}),
      };
    },
  );
}
