import type { Config } from '../platform/config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Databases } from '../platform/database.ts';
import type { Logger } from '../platform/logger.ts';
import {
  CancellationService,
  ChallengeGate,
  CheckoutService,
  SandboxChallenge,
  SiteVerifyChallenge,
  SoldOutFilter,
  UnconfiguredChallenge,
  type ChallengeVerifier,
  type CheckoutFaults,
  type CheckoutServiceDeps,
  type FlagStore,
} from '../modules/checkout/index.ts';
import { DeliveryService } from '../modules/fulfillment/index.ts';
import { OrdersService } from '../modules/orders/index.ts';
import { PaymentsService, SandboxPaymentProvider } from '../modules/payments/index.ts';

/** The buy path's services: payments, orders, delivery promises and the checkout saga over them. */
export function createBuyPath(
  config: Config,
  databases: Databases,
  clock: Clock,
  logger: Logger,
  deps: Pick<CheckoutServiceDeps, 'inventory' | 'cart' | 'catalog' | 'addresses'>,
  flags: FlagStore,
  faults: CheckoutFaults = {},
) {
  const paymentProvider = new SandboxPaymentProvider(databases.orders, { slowMs: config.sandboxSlowMs });
  const payments = new PaymentsService(databases.orders, paymentProvider, clock, {
    timeoutMs: config.paymentTimeoutMs,
    maxAttempts: config.paymentMaxAttempts,
    baseDelayMs: config.paymentRetryBaseMs,
  });
  const orders = new OrdersService(databases.orders, clock);
  const delivery = new DeliveryService(databases.orders, clock);
  const checkout = new CheckoutService(
    databases.orders,
    { ...deps, payments, orders, delivery, soldOut: new SoldOutFilter(flags), challenge: new ChallengeGate(challengeVerifier(config)) },
    clock,
    logger.child({ module: 'checkout' }),
    {
      reservationTtlSeconds: config.reservationTtlSeconds,
      leaseSeconds: config.sagaStaleSeconds,
      defaultPurchaseLimit: config.defaultPurchaseLimit,
    },
    faults,
  );
  const cancellation = new CancellationService(orders, deps.inventory, payments, clock, logger.child({ module: 'cancellation' }), config.sagaStaleSeconds);
  return { paymentProvider, payments, orders, delivery, checkout, cancellation };
}

function challengeVerifier(config: Config): ChallengeVerifier {
  if (config.challengeVerifyUrl) {
    return new SiteVerifyChallenge({
      verifyUrl: config.challengeVerifyUrl,
      secret: config.challengeSecret!,
      siteKey: config.challengeSiteKey ?? null,
      timeoutMs: config.challengeTimeoutMs,
    });
  }
  return config.production ? new UnconfiguredChallenge() : new SandboxChallenge();
}
