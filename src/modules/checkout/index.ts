import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_checkouts.ts';
import * as m0002 from './migrations/0002_checkout_outcomes.ts';

export { CheckoutService, type CheckoutOptions, type CheckoutRequest, type CheckoutServiceDeps } from './checkout.service.ts';
export { CancellationService } from './cancellation.service.ts';
export { CheckoutSaga } from './checkout.saga.ts';
export { SoldOutFilter, type FlagStore } from './sold-out-filter.ts';
export { ChallengeGate, SandboxChallenge, SiteVerifyChallenge, UnconfiguredChallenge, type ChallengeVerifier } from './challenge.ts';
export { SimulatedCrash, type CheckoutFaults } from './checkout.ports.ts';
export { TERMINAL_STATES as FINISHED_CHECKOUT_STATES } from './checkout.repository.ts';
export type { Checkout, CheckoutOutcome, CheckoutRefusal, CheckoutState, PlacedCheckout } from './checkout.repository.ts';

export const checkoutSchema: ModuleSchema = { module: 'checkout', domain: 'orders', migrations: { '0001_checkouts': m0001, '0002_checkout_outcomes': m0002 } };
