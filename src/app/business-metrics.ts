import type { CartService } from '../modules/cart/index.ts';
import type { CheckoutService } from '../modules/checkout/index.ts';
import type { OrdersService } from '../modules/orders/index.ts';
import type { Clock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';

/**
 * The spec's business figures on /metrics, taken at the edges of the modules (the composition
 * root wraps their public methods), so the modules' internals stay free of them:
 * - checkout outcome and latency per request, whichever caller (API route, storefront form);
 * - orders placed and their value per currency, once per order, in the process that created it;
 * - carts with items left idle (abandonment), read at scrape time.
 */

/** The outcome label of `bazaar_checkout_total` for each answer; codes not listed are `rejected` (bad input, limits). */
const OUTCOME_BY_CODE: Record<string, string> = {
  out_of_stock: 'out_of_stock',
  reservation_lost: 'out_of_stock',
  payment_declined: 'declined',
  payment_unavailable: 'payment_unavailable',
  checkout_interrupted: 'interrupted',
  price_changed: 'price_changed',
  challenge_required: 'challenge',
  challenge_failed: 'challenge',
  challenge_unavailable: 'challenge_unavailable',
  checkout_in_progress: 'in_progress',
  purchase_limit_exceeded: 'limit_exceeded',
};

/** Outcomes that are the shop's fault, not the customer's: the numerator of the checkout error-rate alert. */
export const CHECKOUT_ERROR_OUTCOMES = ['interrupted', 'payment_unavailable', 'challenge_unavailable', 'error'] as const;
/** Every outcome label `bazaar_checkout_total` can carry. */
export const CHECKOUT_OUTCOMES = ['placed', 'rejected', ...new Set(Object.values(OUTCOME_BY_CODE)), 'error'] as const;

/** The outcome label of a refused or failed checkout, shared by the metrics and the checkout span. */
export function refusedOutcome(error: unknown): string {
  if (error instanceof AppError) {
    if (OUTCOME_BY_CODE[error.code]) return OUTCOME_BY_CODE[error.code]!;
    return error.kind === 'internal' || error.kind === 'unavailable' ? 'error' : 'rejected';
  }
  return 'error';
}

/** Counts every checkout answer by outcome and times it end to end (an idempotent retry counts as a request of its own). */
export function observeCheckout(checkout: CheckoutService, metrics: Metrics): void {
  const total = metrics.counter('bazaar_checkout_total', 'Checkout requests by outcome (placed, out_of_stock, declined, payment_unavailable, interrupted, price_changed, ...)', ['outcome']);
  const duration = metrics.histogram(
    'bazaar_checkout_duration_seconds',
    'Checkout latency end to end, from the request to its answer, by outcome',
    ['outcome'],
    [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  );
  for (const outcome of CHECKOUT_OUTCOMES) total.inc({ outcome }, 0);
  const original = checkout.checkout.bind(checkout);
  checkout.checkout = async (...args) => {
    const started = performance.now();
    let outcome = 'error';
    try {
      // The service answers with the placed order or throws the refusal, replayed ones included.
      const placed = await original(...args);
      outcome = 'placed';
      return placed;
    } catch (error) {
      outcome = refusedOutcome(error);
      throw error;
    } finally {
      total.inc({ outcome });
      duration.observe({ outcome }, (performance.now() - started) / 1000);
    }
  };
}

/** Orders per second and average order value follow from these: rate(value_sum) / rate(orders). */
export function observeOrders(orders: OrdersService, metrics: Metrics): void {
  const placed = metrics.counter('bazaar_orders_placed_total', 'Orders created, per currency (rate() is orders per second)', ['currency']);
  const value = metrics.histogram(
    'bazaar_order_value_minor_units',
    'Total of each order created, in minor units of its currency (sum / count is the average order value)',
    ['currency'],
    [500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000],
  );
  const original = orders.placeOrder.bind(orders);
  orders.placeOrder = async (...args) => {
    const result = await original(...args);
    // `created` is false for the retry of an order that exists: each order is counted once.
    if (result.created) {
      placed.inc({ currency: result.order.currency });
      value.observe({ currency: result.order.currency }, result.order.total);
    }
    return result;
  };
}

const IDLE_CART_SECONDS = 3600;
/** A count over the carts table is not free: scrapes within this long reuse it. */
const CART_COUNT_REUSE_MS = 30_000;

/** Cart abandonment: carts with items nobody touched for an hour (read at scrape time), and carts deleted by expiry. */
export function observeCarts(cart: CartService, metrics: Metrics, clock: Clock, logger: Logger): void {
  let last: { at: number; count: Promise<number | undefined> } | undefined;
  metrics.gaugeCollected('bazaar_carts_idle_with_items', `Carts holding items that nobody changed for ${IDLE_CART_SECONDS / 3600} h or more (abandoned), read at scrape time`, [], async (gauge) => {
    const now = Date.now();
    if (!last || now - last.at >= CART_COUNT_REUSE_MS) {
      const since = new Date(clock.now().getTime() - IDLE_CART_SECONDS * 1000);
      last = {
        at: now,
        count: cart.countIdleCartsWithItems(since).catch((error: unknown) => {
          logger.warn({ err: error }, 'could not count idle carts');
          return undefined;
        }),
      };
    }
    const count = await last.count;
    if (count !== undefined) gauge.set(count);
  });
  const expired = metrics.counter('bazaar_carts_expired_total', 'Carts deleted because nobody touched them for CART_EXPIRY_DAYS');
  const original = cart.deleteExpiredCarts.bind(cart);
  cart.deleteExpiredCarts = async (...args) => {
    const deleted = await original(...args);
    expired.inc(deleted);
    return deleted;
  };
}
