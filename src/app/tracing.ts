import { traceMethod, tracingEnabled, withSpan } from '../platform/tracing.ts';
import { refusedOutcome } from './business-metrics.ts';
import type { Services } from './context.ts';

/**
 * Spans for the checkout saga, taken at the ports the saga calls (inventory, payments, orders,
 * delivery, cart) under one `checkout` span per request, so the modules stay free of tracing and
 * a rewrite of the saga's internals keeps its spans. The step spans are named after the saga's
 * steps: reserve → authorize → capture → confirm stock → create order → empty cart, and the
 * compensations (release, refund). Off (plain calls) unless tracing is on.
 */
export function traceBuyPath(services: Pick<Services, 'checkout' | 'inventory' | 'payments' | 'orders' | 'delivery' | 'cart'>): void {
  const { checkout, inventory, payments, orders, delivery, cart } = services;
  const byCheckout = (id: unknown) => ({ 'bazaar.checkout_id': typeof id === 'string' ? id : '' });
  traceMethod(inventory, 'reserve', 'checkout.reserve', (request: { checkoutId: string; lines: unknown[] }) => ({ ...byCheckout(request.checkoutId), 'bazaar.lines': request.lines.length }));
  traceMethod(delivery, 'estimateOrder', 'checkout.estimate_delivery');
  traceMethod(payments, 'authorize', 'checkout.authorize', (input: { checkoutId: string; amount: number; currency: string }) => ({
    ...byCheckout(input.checkoutId),
    'bazaar.amount': input.amount,
    'bazaar.currency': input.currency,
  }));
  traceMethod(payments, 'capture', 'checkout.capture', byCheckout);
  traceMethod(inventory, 'confirm', 'checkout.confirm_stock', byCheckout);
  traceMethod(orders, 'placeOrder', 'checkout.create_order', (input: { id: string }) => ({ 'bazaar.order_id': input.id }));
  traceMethod(cart, 'removePurchasedItems', 'checkout.empty_cart');
  traceMethod(inventory, 'release', 'checkout.compensate.release', byCheckout);
  traceMethod(payments, 'refund', 'checkout.compensate.refund', byCheckout);

  const original = checkout.checkout.bind(checkout);
  checkout.checkout = (...args) => {
    if (!tracingEnabled()) return original(...args);
    return withSpan('checkout', { attributes: { 'bazaar.customer_id': args[0].accountId } }, async (span) => {
      try {
        const placed = await original(...args);
        span?.setAttribute('bazaar.checkout.outcome', 'placed');
        return placed;
      } catch (error) {
        span?.setAttribute('bazaar.checkout.outcome', refusedOutcome(error));
        throw error;
      }
    });
  };
}
