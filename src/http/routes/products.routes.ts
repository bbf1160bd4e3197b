import { Type } from 'typebox';
import { catalogResources } from '../catalog-resources.ts';
import { CategoryNodeSchema, ProductPage, PublicProduct } from '../schemas/catalog.ts';
import { IdParams, PageQuery, responses } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const IfNoneMatch = Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 1024 })) });

/**
 * Catalog reads. Anonymous requests are answered from the response cache (see
 * serve-cached.ts); signed-in ones are rendered for the viewer and never shared. What each
 * response holds, and how it is cached, is in catalog-resources.ts.
 */
export const productRoutes: RoutesPlugin = (ctx) => async (app) => {
  const resources = catalogResources(ctx);

  app.get(
    '/v1/products/:id',
    {
      schema: {
        tags: ['catalog'],
        operationId: 'getProduct',
        summary: 'Product detail page: cached, eventually consistent; availability is approximate',
        params: IdParams,
        headers: IfNoneMatch,
        response: responses({ 200: ProductPage, 304: Type.Null({ description: 'Not modified (If-None-Match)' }) }, { 404: ['product_not_found'] }),
      },
    },
    async (request, reply) => {
      ctx.views.record(request.params.id.toLowerCase());
      const { policy, render } = resources.productPage(request.params.id, request.principal);
      return app.serveCached(request, reply, policy, render);
    },
  );

  app.get(
    '/v1/products',
    {
      schema: {
        tags: ['catalog'],
        operationId: 'listProducts',
        summary: 'Active products, newest first; `category` includes its subcategories',
        querystring: Type.Object({ category: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647 })), ...PageQuery }),
        headers: IfNoneMatch,
        response: responses({ 200: Type.Object({ products: Type.Array(PublicProduct), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, { 400: ['invalid_cursor'], 404: ['category_not_found'] }),
      },
    },
    async (request, reply) => {
      const { category, cursor, limit = 20 } = request.query;
      const { policy, render } = resources.productList({ limit, ...(category !== undefined ? { category } : {}), ...(cursor !== undefined ? { cursor } : {}) });
      return app.serveCached(request, reply, policy, render);
    },
  );

  app.get(
    '/v1/categories',
    {
      schema: {
        tags: ['catalog'],
        operationId: 'listCategories',
        summary: 'The category tree',
        headers: IfNoneMatch,
        response: responses({ 200: Type.Object({ categories: Type.Array(CategoryNodeSchema) }) }),
      },
    },
    async (request, reply) => {
      const { policy, render } = resources.categoryTree();
      return app.serveCached(request, reply, policy, render);
    },
  );
};
