import type { AppContext } from '../app/context.ts';
import { CacheTags } from '../app/cache-invalidator.ts';
import type { Principal } from '../platform/principal.ts';
import type { RenderedResponse } from '../platform/response-cache.ts';
import { presentCategoryNode, presentDeliveryPromise, presentProductView } from './schemas/catalog.ts';
import { presentPublicFamily } from './schemas/families.ts';
import { cacheKey, type CachedRoutePolicy } from './serve-cached.ts';

/** A cacheable response: how it is cached and how it is made. */
export interface CachedResource {
  policy: CachedRoutePolicy;
  render(): Promise<RenderedResponse>;
}

export interface ProductListQuery {
  category?: number;
  cursor?: string;
  limit: number;
}

/** While inventory cannot be asked, pages say `unknown` and are kept only briefly. */
const UNKNOWN_AVAILABILITY_TTL_SECONDS = 5;

const json = (body: unknown, ttlSeconds?: number): RenderedResponse => ({
  status: 200,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
  ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
});

/**
 * The catalog's cacheable responses, defined once for the routes that serve them and for
 * the cache warmer that primes them, so both produce the same key, tags and bytes.
 */
export function catalogResources(ctx: AppContext) {
  const pages = ctx.services.productPages;
  const { productCacheSeconds, categoryCacheSeconds } = ctx.config;
  const shortTtl = Math.min(productCacheSeconds, UNKNOWN_AVAILABILITY_TTL_SECONDS);

  return {
    /** `GET /v1/products/:id`; with a viewer it is personal (delivery promise, managers see inactive products). */
    productPage(id: string, viewer?: Principal): CachedResource {
      const productId = id.toLowerCase();
      const policy = { key: cacheKey(`/v1/products/${productId}`), tags: [CacheTags.product(productId)], ttlSeconds: productCacheSeconds };
      if (!viewer) {
        return {
          policy,
          async render() {
            const view = await pages.publicProduct(productId);
            return json(presentProductView(view), view.availability === 'unknown' ? shortTtl : undefined);
          },
        };
      }
      return {
        policy: { ...policy, personal: true },
        async render() {
          const view = await pages.viewerProduct(viewer, productId);
          const rendered = json({ ...presentProductView(view), delivery_estimate: presentDeliveryPromise(view.delivery) });
          // A product that is not active is shown only to its managers: not even their browser keeps it.
          return view.product.status === 'active' ? rendered : { ...rendered, headers: { 'cache-control': 'private, no-store' } };
        },
      };
    },

    /** `GET /v1/products?category=&cursor=&limit=`: tagged with every product it shows. */
    productList(query: ProductListQuery): CachedResource {
      const { category, cursor, limit } = query;
      return {
        policy: { key: cacheKey('/v1/products', { category, cursor, limit }), tags: [CacheTags.productLists], ttlSeconds: productCacheSeconds },
        async render() {
          const page = await pages.publicList({ limit, ...(category !== undefined ? { categoryId: category } : {}), ...(cursor !== undefined ? { cursor } : {}) });
          const unknown = page.items.some((item) => item.availability === 'unknown');
          return {
            ...json({ products: page.items.map(presentProductView), next_cursor: page.nextCursor }, unknown ? shortTtl : undefined),
            tags: page.items.map((item) => CacheTags.product(item.product.id)),
          };
        },
      };
    },

    /** `GET /v1/families/:id`: tagged with the family and each child shown (their prices and stock). */
    familyPage(id: string, viewer?: Principal): CachedResource {
      const familyId = id.toLowerCase();
      const policy = { key: cacheKey(`/v1/families/${familyId}`), tags: [CacheTags.family(familyId)], ttlSeconds: productCacheSeconds };
      return {
        policy: viewer ? { ...policy, personal: true } : policy,
        async render() {
          const view = viewer ? await pages.viewerFamily(viewer, familyId) : await pages.publicFamily(familyId);
          const unknown = view.family.variants.some((v) => view.availability(v.id) === 'unknown');
          const rendered = json(presentPublicFamily(view.family, view.availability), unknown ? shortTtl : undefined);
          const everyoneSees = view.family.status === 'active' && view.family.variants.every((v) => v.status === 'active');
          if (viewer && !everyoneSees) return { ...rendered, headers: { 'cache-control': 'private, no-store' } };
          return { ...rendered, tags: view.family.variants.map((v) => CacheTags.product(v.id)) };
        },
      };
    },

    /** `GET /v1/categories`. */
    categoryTree(): CachedResource {
      return {
        policy: { key: '/v1/categories', tags: [CacheTags.categories], ttlSeconds: categoryCacheSeconds },
        render: async () => json({ categories: (await pages.categoryTree()).map(presentCategoryNode) }),
      };
    },
  };
}
