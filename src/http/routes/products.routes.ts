import { createHash } from 'node:crypto';
import { Type } from 'typebox';
import type { AppContext } from '../../app/context.ts';
import type { CategoryNode, Product } from '../../modules/catalog/index.ts';
import { IdParams, Money, PageQuery, responses, Uuid } from '../schemas/common.ts';
import type { Principal } from '../../platform/principal.ts';
import type { RoutesPlugin } from '../types.ts';

const Availability = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock'), Type.Literal('unknown')], {
  description: 'Approximate, for display; `unknown` when inventory could not be asked. Checkout checks exactly.',
});
export const ProductStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('suspended')]);
export const AttributesOut = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]));

/** Fields every product representation shares. */
export const productProperties = {
  id: Uuid,
  title: Type.String(),
  description: Type.String(),
  brand: Type.Union([Type.String(), Type.Null()]),
  category_id: Type.Integer(),
  price: Money,
  images: Type.Array(Type.String()),
  attributes: AttributesOut,
  avg_rating: Type.Number({ minimum: 0, maximum: 5 }),
  review_count: Type.Integer(),
  status: ProductStatusSchema,
  seller_id: Uuid,
  family_id: Type.Union([Uuid, Type.Null()], { description: 'The variation family this product is a child of (GET /v1/families/{id})' }),
  options: Type.Record(Type.String(), Type.String(), { description: "Its value on each of the family's option axes, e.g. {size: '9'}; {} outside a family" }),
};

const DeliveryEstimate = Type.Object(
  {
    estimated_delivery: Type.String({ format: 'date' }),
    carrier: Type.String(),
    ships_from: Type.String({ description: 'Warehouse code' }),
    to_postal_code: Type.String(),
  },
  { description: "Approximate, for the signed-in customer's default address; checkout's estimate is the one stored on the order" },
);

const PublicProduct = Type.Object({ ...productProperties, availability: Availability });
const ProductPage = Type.Object({ ...productProperties, availability: Availability, delivery_estimate: Type.Optional(Type.Union([DeliveryEstimate, Type.Null()])) });

const CategoryNodeSchema = Type.Cyclic(
  {
    CatalogCategoryNode: Type.Object({
      id: Type.Integer(),
      parent_id: Type.Union([Type.Integer(), Type.Null()]),
      name: Type.String(),
      slug: Type.String(),
      path: Type.String({ description: "Slug path from the root, e.g. 'sports/running-shoes'" }),
      children: Type.Array(Type.Ref('CatalogCategoryNode')),
    }),
  },
  'CatalogCategoryNode',
);

export const presentProduct = (p: Product) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  brand: p.brand,
  category_id: p.categoryId,
  price: { amount: p.price.amount, currency: p.price.currency },
  images: p.images,
  attributes: p.attributes,
  avg_rating: p.avgRating,
  review_count: p.reviewCount,
  status: p.status,
  seller_id: p.sellerId,
  family_id: p.familyId,
  options: p.options,
});

interface CategoryNodeOut {
  id: number;
  parent_id: number | null;
  name: string;
  slug: string;
  path: string;
  children: CategoryNodeOut[];
}
const presentCategoryNode = (c: CategoryNode): CategoryNodeOut => ({
  id: c.id,
  parent_id: c.parentId,
  name: c.name,
  slug: c.slug,
  path: c.path,
  children: c.children.map(presentCategoryNode),
});

type AvailabilityStatus = 'in_stock' | 'low_stock' | 'out_of_stock' | 'unknown';

/** Availability on product pages is eventual by design (30 s at most): cached, never the checkout's check. */
const AVAILABILITY_CACHE_SECONDS = 10;

/** Browsing must survive an inventory outage (its database may be elsewhere): then availability is `unknown`. */
async function availabilityOf(ctx: AppContext, ids: string[]): Promise<(id: string) => AvailabilityStatus> {
  try {
    const cached = new Map<string, AvailabilityStatus>();
    for (const id of ids) {
      const hit = await ctx.cache.get<AvailabilityStatus>(`availability:${id}`);
      if (hit) cached.set(id, hit);
    }
    const missing = ids.filter((id) => !cached.has(id));
    if (missing.length > 0) {
      const known = await ctx.services.inventory.getAvailability(missing);
      for (const id of missing) {
        const status = known.get(id)?.status ?? 'out_of_stock';
        cached.set(id, status);
        await ctx.cache.set(`availability:${id}`, status, AVAILABILITY_CACHE_SECONDS);
      }
    }
    return (id) => cached.get(id) ?? 'out_of_stock';
  } catch (error) {
    ctx.logger.warn({ err: error }, 'availability unavailable; serving products without it');
    return () => 'unknown';
  }
}

const weakEtag = (body: unknown) => `W/"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;

/** If-None-Match uses weak comparison: `W/` prefixes are ignored, `*` matches anything. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** Delivery promise to the signed-in customer's default address from the nearest stocked warehouse. */
async function deliveryEstimateFor(ctx: AppContext, principal: Principal, productId: string) {
  const address = await ctx.services.identity.findDefaultAddress(principal);
  if (!address) return null;
  const warehouse = await ctx.services.inventory.nearestWarehouseWithStock(productId, address);
  if (!warehouse) return null;
  const estimate = await ctx.services.delivery.estimate(warehouse, address);
  return { estimated_delivery: estimate.estimatedDelivery, carrier: estimate.carrierName, ships_from: warehouse.code, to_postal_code: address.postalCode };
}

export const productRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { catalog } = ctx.services;
  const ttl = ctx.config.productCacheSeconds;
  const publicCache = (maxAge: number) => `public, max-age=${maxAge}, stale-while-revalidate=300`;

  app.get(
    '/v1/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Product detail page: cached, eventually consistent; availability is approximate',
        params: IdParams,
        headers: Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 1024 })) }),
        response: responses({ 200: ProductPage, 304: Type.Null({ description: 'Not modified (If-None-Match)' }) }, [404]),
      },
    },
    async (request, reply) => {
      const product = await catalog.getProductForViewer(request.principal, request.params.id);
      const availability = (await availabilityOf(ctx, [product.id]))(product.id);
      const personal = request.principal ? { delivery_estimate: await deliveryEstimateFor(ctx, request.principal, product.id) } : {};
      const body = { ...presentProduct(product), availability, ...personal };
      const etag = weakEtag(body);
      reply.header('etag', etag);
      // A product that is not active is shown only to its manager, and a signed-in page carries a
      // personal delivery promise: neither may sit in a shared cache.
      if (product.status !== 'active') reply.header('cache-control', 'private, no-store');
      else if (request.principal) reply.header('cache-control', 'private, max-age=0, must-revalidate').header('vary', 'authorization');
      else reply.header('cache-control', publicCache(availability === 'unknown' ? Math.min(ttl, 5) : ttl));
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.status(304).send();
      return body;
    },
  );

  app.get(
    '/v1/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Active products, newest first; `category` includes its subcategories',
        querystring: Type.Object({ category: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })), ...PageQuery }),
        response: responses({ 200: Type.Object({ products: Type.Array(PublicProduct), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, [404]),
      },
    },
    async (request, reply) => {
      const { category, cursor, limit } = request.query;
      const page = await catalog.listProducts({
        limit: limit ?? 20,
        ...(category !== undefined ? { categoryId: category } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      });
      const availability = page.products.length > 0 ? await availabilityOf(ctx, page.products.map((p) => p.id)) : () => 'unknown' as const;
      reply.header('cache-control', publicCache(ttl));
      return {
        products: page.products.map((p) => ({ ...presentProduct(p), availability: availability(p.id) })),
        next_cursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/categories',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The category tree',
        response: responses({ 200: Type.Object({ categories: Type.Array(CategoryNodeSchema) }) }),
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', publicCache(ttl));
      return { categories: (await catalog.listCategories()).map(presentCategoryNode) };
    },
  );
};
