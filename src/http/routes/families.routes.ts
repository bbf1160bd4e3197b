import { IdParams, responses } from '../schemas/common.ts';
import { presentPublicFamily, PublicFamily } from '../schemas/families.ts';
import type { RoutesPlugin } from '../types.ts';

type AvailabilityStatus = 'in_stock' | 'low_stock' | 'out_of_stock' | 'unknown';

export const familyRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { families, inventory } = ctx.services;

  app.get(
    '/v1/families/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A variation family with its children (one product per option combination): options, prices and approximate availability',
        params: IdParams,
        response: responses({ 200: PublicFamily }, [404]),
      },
    },
    async (request, reply) => {
      const family = await families.getFamilyForViewer(request.principal, request.params.id);
      let availability: (id: string) => AvailabilityStatus = () => 'unknown';
      try {
        const known = await inventory.getAvailability(family.variants.map((v) => v.id));
        availability = (id) => known.get(id)?.status ?? 'out_of_stock';
      } catch (error) {
        // Browsing survives an inventory outage: the picker shows the children without availability.
        request.log.warn({ err: error }, 'availability unavailable; serving the family without it');
      }
      const everyoneSees = family.status === 'active' && family.variants.every((v) => v.status === 'active');
      reply.header('cache-control', everyoneSees ? `public, max-age=${Math.min(ctx.config.productCacheSeconds, 30)}, stale-while-revalidate=300` : 'private, no-store');
      return presentPublicFamily(family, availability);
    },
  );
};
