import { cachedResponsesOf } from '../http/app.ts';
import { catalogResources, type CachedResource } from '../http/catalog-resources.ts';
import type { AppContext } from './context.ts';

const RECENT_DAYS = 7;
const RENDER_CONCURRENCY = 8;
const CDN_CONCURRENCY = 16;

export interface TopProducts {
  ids: string[];
  /** How many of `ids` each ranking contributed, in the order they were consulted. */
  bySource: { views: number; orders: number; rating: number };
}

export interface WarmOptions {
  top: number;
  /** Render into this process's cache and Redis (default: yes). */
  prime?: boolean;
  /** GET every warmed page through each CDN node (default: when CDN_PURGE_URLS is set). */
  cdn?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface WarmReport extends TopProducts {
  pages: number;
  primed: number;
  /** Pages that could not be rendered (e.g. a product deactivated meanwhile). */
  failed: number;
  cdnFetched: number;
  cdnFailed: number;
  seconds: number;
}

/**
 * The `top` active products to warm: most viewed over the last week, then most ordered
 * over the last week, then by rating × reviews, without repeats.
 */
export async function selectTopProducts(ctx: AppContext, top: number): Promise<TopProducts> {
  const { catalog, orders } = ctx.services;
  const since = new Date(ctx.clock.now().getTime() - RECENT_DAYS * 86_400_000);
  const chosen = new Set<string>();
  const take = async (candidates: string[]) => {
    const fresh = candidates.filter((id) => !chosen.has(id));
    const active = [...(await catalog.findProducts(fresh)).values()].filter((p) => p.status === 'active').map((p) => p.id);
    const activeSet = new Set(active);
    let added = 0;
    for (const id of fresh) {
      if (chosen.size >= top) break;
      if (activeSet.has(id.toLowerCase())) {
        chosen.add(id.toLowerCase());
        added++;
      }
    }
    return added;
  };
  const views = await take(await ctx.views.top(top));
  const ordered = chosen.size < top ? await take((await orders.topProductsSince(since, top)).map((r) => r.productId)) : 0;
  const rating = chosen.size < top ? await take(await catalog.listTopRatedProductIds(top + chosen.size)) : 0;
  return { ids: [...chosen], bySource: { views, orders: ordered, rating } };
}

/**
 * Warms the browse caches for a spike (the spec's "pre-warm CDN and Redis caches for the
 * top 10K products"): renders the top products' pages, the category tree and the first
 * product list into this process's cache and Redis, then fetches each through every CDN
 * node so the CDN holds them too. Renders go to the database: `top` pages cost 2 × `top`
 * primary-key reads.
 */
export async function warmCaches(ctx: AppContext, options: WarmOptions): Promise<WarmReport> {
  const started = Date.now();
  const selection = await selectTopProducts(ctx, options.top);
  const resources = catalogResources(ctx);
  const pages: CachedResource[] = [...selection.ids.map((id) => resources.productPage(id)), resources.categoryTree(), resources.productList({ limit: 20 })];
  const cdnUrls = options.cdn === false ? [] : ctx.config.cdnPurgeUrls;
  const prime = options.prime !== false;
  const total = (prime ? pages.length : 0) + pages.length * cdnUrls.length;
  let done = 0;
  const step = () => options.onProgress?.(++done, total);
  options.onProgress?.(0, total);

  let primed = 0;
  let failed = 0;
  if (prime) {
    const cached = cachedResponsesOf(ctx);
    await inPool(RENDER_CONCURRENCY, pages, async (page) => {
      try {
        await cached.prime(page.policy, page.render);
        primed++;
      } catch {
        failed++;
      }
      step();
    });
  }
  let cdnFetched = 0;
  let cdnFailed = 0;
  const fetches = cdnUrls.flatMap((base) => pages.map((page) => new URL(page.policy.key, base)));
  await inPool(CDN_CONCURRENCY, fetches, async (url) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.ok) cdnFetched++;
      else cdnFailed++;
    } catch {
      cdnFailed++;
    }
    step();
  });
  const report = { ...selection, pages: pages.length, primed, failed, cdnFetched, cdnFailed, seconds: (Date.now() - started) / 1000 };
  ctx.logger.info({ ...report, ids: undefined }, 'caches warmed');
  return report;
}

async function inPool<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}
