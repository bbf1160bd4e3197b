import type { FastifyInstance } from 'fastify';
import { isUuid } from '../../platform/ids.ts';
import type { Web } from '../context.ts';
import { formatDay } from '../format.ts';
import { cartOwner, resolveWebSession, touchVisit } from '../session.ts';

/**
 * The personal parts of shared-cached pages, asked for after load: signed-in name, cart count
 * and, on a product page, the delivery promise to the default address. It also counts the
 * product view for "visits with a product view" (never on the cached page's own path).
 */
export function registerMeApi(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/web/api/me', { preHandler: session }, async (request, reply) => {
    const productParam = (request.query as { product?: unknown }).product;
    const productId = typeof productParam === 'string' && isUuid(productParam) ? productParam.toLowerCase() : undefined;
    const principal = request.webPrincipal;
    const owner = cartOwner(request, reply, false);
    const [account, cart, delivery] = await Promise.all([
      principal ? web.services.identity.getAccount(principal.accountId) : undefined,
      owner ? web.services.cart.getCart(owner) : undefined,
      principal && productId ? web.services.productPages.deliveryPromise(principal, productId).catch(() => null) : null,
    ]);
    if (productId) web.services.analytics.recordProductView(touchVisit(request, reply), productId, principal?.accountId ?? null);
    reply.header('cache-control', 'private, no-store');
    return {
      signed_in: Boolean(account),
      name: account?.name ?? null,
      cart_count: cart?.itemCount ?? 0,
      delivery: delivery
        ? { date: delivery.estimatedDelivery, date_label: formatDay(delivery.estimatedDelivery), carrier: delivery.carrier, ships_from: delivery.shipsFrom, to_postal_code: delivery.toPostalCode }
        : null,
    };
  });
}
