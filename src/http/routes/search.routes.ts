import { Type } from 'typebox';
import { SEARCH_LIMITS, SEARCH_SORTS, type SearchHit, type SearchResponse } from '../../modules/search/index.ts';
import { PG_INT_MAX } from '../../platform/limits.ts';
import { Money, responses, Timestamp, Uuid } from '../schemas/common.ts';
import { ERROR_CODE_KEYWORD } from '../validation.ts';
import type { RoutesPlugin } from '../types.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const SearchHitSchema = Type.Object({
  id: Uuid,
  title: Type.String(),
  brand: Nullable(Type.String()),
  price: Money,
  image: Nullable(Type.String()),
  category: Type.Object({ id: Type.Integer(), name: Type.String(), path: Type.String() }),
  avg_rating: Type.Number(),
  review_count: Type.Integer(),
  availability: Type.String({ description: 'in_stock | low_stock | out_of_stock | unknown (approximate, for display)' }),
  in_stock: Type.Boolean(),
  seller_id: Uuid,
  created_at: Timestamp,
  family: Nullable(
    Type.Object(
      {
        id: Uuid,
        title: Type.String(),
        price_range: Type.Object({ min: Money, max: Money }, { description: 'Over the children that match the query and every filter' }),
        matching_variants: Type.Integer({ minimum: 1 }),
      },
      { description: 'The variation family this result stands for (one result per family; `id` above is its best matching child)' },
    ),
  ),
});

const Count = Type.Integer({ minimum: 0 });
const FacetsSchema = Type.Object({
  categories: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), path: Type.String(), count: Count, selected: Type.Boolean({ description: 'Within the category filter' }) }), {
    description: 'Leaf categories; with a category filter, those under its parent (siblings), each counted without the category filter',
  }),
  brands: Type.Array(Type.Object({ value: Type.String(), count: Count, selected: Type.Boolean() })),
  price_ranges: Type.Array(
    Type.Object({ min: Type.Integer({ description: 'Inclusive, minor units' }), max: Nullable(Type.Integer({ description: 'Exclusive, minor units; null = no upper bound' })), count: Count }),
  ),
  ratings: Type.Array(Type.Object({ min: Type.Integer({ description: 'Stars and up' }), count: Count })),
});

const SearchResponseSchema = Type.Object({
  products: Type.Array(SearchHitSchema),
  facets: FacetsSchema,
  total_count: Count,
  next_cursor: Nullable(Type.String()),
  did_you_mean: Nullable(Type.String({ description: 'A better spelling when the query found nothing (or was corrected)' })),
  suggestions: Type.Array(Type.Object({ text: Type.String(), count: Count }), {
    description: 'When nothing matched: other queries that find something (an unapplied spelling fix, single words of the query), with their counts',
  }),
  query: Type.Object({
    text: Type.String({ description: 'The words searched for, after spelling correction' }),
    corrected: Type.Boolean(),
    match: Type.Union([Type.Literal('all'), Type.Literal('any')], { description: '`any` when no product has all the words' }),
    price_min: Nullable(Type.Integer()),
    price_max: Nullable(Type.Integer()),
  }),
  degraded: Type.Boolean({ description: 'The search engine failed and a simpler search answered: newest first, no facet counts' }),
});

// Each mistake has its own code (invalid_price, invalid_sort…): bounds name theirs with x-error-code; the service checks sorts and ranges.
const SearchQuerySchema = Type.Object({
  q: Type.Optional(Type.String({ maxLength: SEARCH_LIMITS.queryLength, description: 'Free text; prices in it ("under $50") become filters' })),
  category: Type.Optional(Type.String({ maxLength: SEARCH_LIMITS.categoryLength, description: 'Category id, slug or slug path; includes subcategories' })),
  brand: Type.Optional(Type.Array(Type.String({ maxLength: SEARCH_LIMITS.brandLength }), { description: 'Repeat for several (OR)' })),
  price_min: Type.Optional(Type.Integer({ minimum: 0, maximum: PG_INT_MAX, [ERROR_CODE_KEYWORD]: 'invalid_price', description: 'Inclusive, minor units (cents), ≥ 0' })),
  price_max: Type.Optional(Type.Integer({ minimum: 0, maximum: PG_INT_MAX, [ERROR_CODE_KEYWORD]: 'invalid_price', description: 'Inclusive, minor units (cents), ≥ price_min' })),
  rating_min: Type.Optional(Type.Number({ minimum: 0, maximum: 5, [ERROR_CODE_KEYWORD]: 'invalid_rating', description: '0 to 5' })),
  in_stock: Type.Optional(Type.Boolean()),
  sort: Type.Optional(Type.String({ description: `One of ${SEARCH_SORTS.join(', ')} (default relevance; without q, relevance = popularity)` })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.pageSize, [ERROR_CODE_KEYWORD]: 'invalid_limit', description: `1 to ${SEARCH_LIMITS.pageSize}, default ${SEARCH_LIMITS.defaultPageSize}` }),
  ),
});

const SuggestResponseSchema = Type.Object({
  products: Type.Array(Type.Object({ id: Uuid, title: Type.String() })),
  brands: Type.Array(Type.Object({ name: Type.String(), count: Count })),
  categories: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), path: Type.String() })),
  degraded: Type.Boolean(),
});

const presentHit = (h: SearchHit) => ({
  id: h.id,
  title: h.title,
  brand: h.brand,
  price: { amount: h.priceAmount, currency: h.currency },
  image: h.image,
  category: h.category,
  avg_rating: h.avgRating,
  review_count: h.reviewCount,
  availability: h.availability,
  in_stock: h.inStock,
  seller_id: h.sellerId,
  created_at: h.createdAt.toISOString(),
  family: h.family && {
    id: h.family.id,
    title: h.family.title,
    price_range: { min: { amount: h.family.priceMin, currency: h.currency }, max: { amount: h.family.priceMax, currency: h.currency } },
    matching_variants: h.family.matchingVariants,
  },
});

export const presentSearch = (r: SearchResponse) => ({
  products: r.products.map(presentHit),
  facets: {
    categories: r.facets.categories,
    brands: r.facets.brands,
    price_ranges: r.facets.priceRanges,
    ratings: r.facets.ratings,
  },
  total_count: r.totalCount,
  next_cursor: r.nextCursor,
  did_you_mean: r.didYouMean,
  suggestions: r.suggestions,
  query: { text: r.query.text, corrected: r.query.corrected, match: r.query.match, price_min: r.query.priceMin, price_max: r.query.priceMax },
  degraded: r.degraded,
});

/** Results lag the catalog by seconds anyway; a short shared cache absorbs repeated queries. Degraded answers are not cached. */
const cacheControl = (degraded: boolean) => (degraded ? 'no-store' : 'public, max-age=5, stale-while-revalidate=30');

export const searchRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { search } = ctx.services;

  app.get(
    '/v1/search',
    {
      schema: {
        tags: ['search'],
        operationId: 'searchProducts',
        summary: 'Full-text product search with filters, facets, sorts and keyset pages',
        querystring: SearchQuerySchema,
        response: responses({ 200: SearchResponseSchema }, { 400: ['invalid_brand', 'invalid_category', 'invalid_cursor', 'invalid_limit', 'invalid_price', 'invalid_price_range', 'invalid_rating', 'invalid_search', 'invalid_sort', 'query_too_long'], 503: ['search_unavailable'] }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const result = await search.search({
        ...(q.q !== undefined ? { q: q.q } : {}),
        ...(q.category !== undefined ? { category: q.category } : {}),
        ...(q.brand !== undefined ? { brand: q.brand } : {}),
        ...(q.price_min !== undefined ? { priceMin: q.price_min } : {}),
        ...(q.price_max !== undefined ? { priceMax: q.price_max } : {}),
        ...(q.rating_min !== undefined ? { ratingMin: q.rating_min } : {}),
        ...(q.in_stock !== undefined ? { inStock: q.in_stock } : {}),
        ...(q.sort !== undefined ? { sort: q.sort } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.limit !== undefined ? { limit: q.limit } : {}),
      });
      reply.header('cache-control', cacheControl(result.degraded));
      return presentSearch(result);
    },
  );

  app.get(
    '/v1/search/suggest',
    {
      schema: {
        tags: ['search'],
        operationId: 'suggestSearch',
        summary: 'Autocomplete from a prefix: product titles, brands and categories',
        querystring: Type.Object({
          q: Type.String({ maxLength: SEARCH_LIMITS.queryLength }),
          limit: Type.Optional(
            Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.suggestions, [ERROR_CODE_KEYWORD]: 'invalid_limit', description: `Per group, 1 to ${SEARCH_LIMITS.suggestions}, default 5` }),
          ),
        }),
        response: responses({ 200: SuggestResponseSchema }, { 400: ['invalid_limit', 'invalid_search', 'query_too_long'], 503: ['search_unavailable'] }),
      },
    },
    async (request, reply) => {
      const result = await search.suggest(request.query.q, request.query.limit ?? 5);
      reply.header('cache-control', cacheControl(result.degraded));
      return result;
    },
  );
};
