import { Type } from 'typebox';
import { catalogResources } from '../catalog-resources.ts';
import { IdParams, responses } from '../schemas/common.ts';
import { PublicFamily } from '../schemas/families.ts';
import type { RoutesPlugin } from '../types.ts';

const IfNoneMatch = Type.Object({ 'if-none-match': Type.Optional(Type.String({ maxLength: 1024 })) });

/** The storefront's family page, through the response cache for anonymous shoppers (catalog-resources.ts). */
export const familyRoutes: RoutesPlugin = (ctx) => async (app) => {
  const resources = catalogResources(ctx);

  app.get(
    '/v1/families/:id',
    {
      schema: {
        tags: ['catalog'],
        operationId: 'getFamily',
        summary: 'A variation family with its children (one product per option combination): options, prices and approximate availability',
        params: IdParams,
        headers: IfNoneMatch,
        response: responses({ 200: PublicFamily, 304: Type.Null({ description: 'Not modified (If-None-Match)' }) }, { 404: ['family_not_found'] }),
      },
    },
    async (request, reply) => {
      const { policy, render } = resources.familyPage(request.params.id, request.principal);
      return app.serveCached(request, reply, policy, render);
    },
  );
};
