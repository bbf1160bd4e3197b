import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { AppError, conflict, unprocessable } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { MAX_AMOUNT } from '../../platform/limits.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Principal } from '../../platform/principal.ts';
import type { AddressPort, CartPort, CatalogPort, CheckoutFaults } from './checkout.ports.ts';
import * as repo from './checkout.repository.ts';
import type { CheckoutLine, CheckoutOutcome, CheckoutRefusal, KeyedRow, PlacedCheckout } from './checkout.repository.ts';
import { CheckoutSaga, type SagaDeps } from './checkout.saga.ts';
import type { ChallengeGate } from './challenge.ts';

export interface CheckoutRequest {
  shippingAddressId: string;
  paymentMethodId: string;
  /** The total the customer agreed to; required to proceed after a `price_changed` answer. */
  expectedTotal?: { amount: number; currency: string };
  /** Token of a solved human check, for carts holding products that ask for one. Not part of the idempotent request. */
  challengeToken?: string;
  clientIp?: string;
}

export interface CheckoutOptions {
  reservationTtlSeconds: number;
  /** How long a process may hold a checkout without progress before recovery takes it over. */
  leaseSeconds: number;
  defaultPurchaseLimit: number;
  /** How long a duplicate request waits for the first one's answer. */
  duplicateWaitMs?: number;
}

export interface CheckoutServiceDeps extends SagaDeps {
  cart: CartPort;
  catalog: CatalogPort;
  addresses: AddressPort;
  challenge: ChallengeGate;
}

const PURCHASE_LIMIT_WINDOW_MS = 24 * 3600_000;

/**
 * Checkout entry point: validates the cart against the database (prices are never
 * taken from the client or a cache), enforces per-customer purchase limits, makes the
 * request idempotent by (customer, Idempotency-Key) and runs the saga.
 *
 * One key, one answer: the outcome for a key and body is stored and replayed verbatim to
 * every retry, whether the saga reached it (placed; `payment_declined`, `out_of_stock`,
 * `payment_unavailable`, `checkout_interrupted`) or it was a refusal before anything was
 * reserved (`out_of_stock` from the sold-out pre-filter, `cart_empty`, `product_unavailable`,
 * `currency_mismatch`, `order_total_too_large`, `price_changed`, `purchase_limit_exceeded`,
 * address/method not found). Refusals are returned as thrown `AppError`s.
 * Not stored, because the same key is meant to be retried: `challenge_required` /
 * `challenge_failed` / `challenge_unavailable` (the human check is verified last, so a token
 * is spent only on a checkout that would otherwise go ahead), `checkout_in_progress`, and
 * `idempotency_key_reused` (a key whose saga started is bound to its body; a key that was
 * only refused may carry another body, e.g. one confirming a changed price).
 */
export class CheckoutService {
  readonly saga: CheckoutSaga;

  constructor(
    private readonly db: Kysely<any>,
    private readonly deps: CheckoutServiceDeps & { payments: SagaDeps['payments'] },
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: CheckoutOptions,
    faults: CheckoutFaults = {},
  ) {
    this.saga = new CheckoutSaga(db, deps, clock, logger, { reservationTtlSeconds: options.reservationTtlSeconds, leaseSeconds: options.leaseSeconds }, faults);
  }

  /** @returns the placed order; @throws the stored refusal (or a refusal that is not stored, see above) */
  async checkout(principal: Principal, idempotencyKey: string, request: CheckoutRequest): Promise<PlacedCheckout> {
    return settle(await this.outcomeOf(principal, idempotencyKey, request));
  }

  private async outcomeOf(principal: Principal, idempotencyKey: string, request: CheckoutRequest): Promise<CheckoutOutcome> {
    const hash = requestHash(request);
    const existing = answerRowFor(await repo.findByKey(this.db, principal.accountId, idempotencyKey), hash);
    if (existing) return this.answerFor(existing);

    let draft;
    try {
      draft = await this.prepare(principal, idempotencyKey, request);
    } catch (error) {
      if (!isStoredRefusal(error)) throw error;
      return this.refuse(principal.accountId, idempotencyKey, hash, error);
    }
    const now = this.clock.now();
    const created = await this.db.transaction().execute(async (trx) => {
      // A duplicate that won meanwhile makes the insert a no-op (any unique conflict), answered below.
      await repo.lockCustomer(trx, principal.accountId);
      const since = new Date(now.getTime() - PURCHASE_LIMIT_WINDOW_MS);
      const limits = draft.lines.map((l) => ({ product_id: l.product_id, requested: l.quantity, limit: draft.limits.get(l.product_id)! }));
      const { inserted, over } = await repo.insertCheckoutWithinLimits(
        trx,
        {
          id: newId(),
          customer_id: principal.accountId,
          idempotency_key: idempotencyKey,
          request_hash: hash,
          state: 'pending',
          lines: draft.lines,
          allocations: null,
          total_amount: draft.total,
          currency: draft.currency,
          shipping_address: draft.address,
          payment_method_id: request.paymentMethodId,
          estimated_delivery: null,
          outcome: null,
          payment_id: null,
          failure_code: null,
          lease_expires_at: new Date(now.getTime() + this.options.leaseSeconds * 1000),
          created_at: now,
          updated_at: now,
        },
        limits,
        since,
      );
      if (!over) return inserted;
      const refusal: CheckoutRefusal = {
        code: 'purchase_limit_exceeded',
        kind: 'unprocessable',
        message: 'You have reached the purchase limit for some items (per customer, per 24 hours)',
        details: { items: over },
      };
      return repo.insertRefusal(trx, { id: newId(), customer_id: principal.accountId, idempotency_key: idempotencyKey, request_hash: hash, outcome: refusal, now });
    });
    if (!created) return this.answerFor(answerRowFor(await repo.findByKey(this.db, principal.accountId, idempotencyKey), hash)!);
    if (created.state === 'refused') return created.outcome!;
    return this.answerFor(await this.saga.drive(created as repo.Checkout));
  }

  /** Keeps a refusal as the key's answer for this body; a concurrent duplicate's row wins if it came first. */
  private async refuse(customerId: string, key: string, hash: string, error: AppError): Promise<CheckoutOutcome> {
    const outcome: CheckoutRefusal = { code: error.code, kind: error.kind, message: error.message, ...(error.details ? { details: error.details } : {}) };
    const row = await repo.insertRefusal(this.db, { id: newId(), customer_id: customerId, idempotency_key: key, request_hash: hash, outcome, now: this.clock.now() });
    if (row) return outcome;
    return this.answerFor(answerRowFor(await repo.findByKey(this.db, customerId, key), hash)!);
  }

  /** Finishes or compensates checkouts whose process stopped making progress. */
  async recoverAbandoned(limit = 50): Promise<number> {
    const now = this.clock.now();
    const claimed = await repo.claimAbandoned(this.db, now, new Date(now.getTime() + this.options.leaseSeconds * 1000), limit);
    for (const checkout of claimed) {
      try {
        await this.saga.recover(checkout);
      } catch (error) {
        this.logger.error({ err: error, checkoutId: checkout.id }, 'checkout recovery failed; will retry');
      }
    }
    return claimed.length;
  }

  findCheckout(id: string) {
    return repo.findById(this.db, id);
  }

  /**
   * The stored answer, waiting for an in-flight duplicate. A checkout whose process stopped
   * is taken over by its own retry only (claimed by id); others' stay the recovery job's.
   */
  private async answerFor(checkout: KeyedRow): Promise<CheckoutOutcome> {
    const deadline = Date.now() + (this.options.duplicateWaitMs ?? 60_000);
    let current = checkout;
    for (;;) {
      if (isAnswered(current)) return current.outcome!;
      if (current.lease_expires_at < this.clock.now()) {
        const now = this.clock.now();
        const claimed = await repo.claimIfAbandoned(this.db, current.id, now, new Date(now.getTime() + this.options.leaseSeconds * 1000));
        if (claimed) {
          current = await this.saga.recover(claimed);
          continue;
        }
      }
      if (Date.now() > deadline) {
        throw conflict('checkout_in_progress', 'This checkout is still being processed; retry with the same Idempotency-Key shortly');
      }
      await sleep(25);
      current = (await repo.findById(this.db, current.id))!;
    }
  }

  private async prepare(principal: Principal, idempotencyKey: string, request: CheckoutRequest) {
    const cart = await this.deps.cart.getCartForCheckout(principal.accountId);
    if (cart.items.length === 0) throw unprocessable('cart_empty', 'Your cart is empty');
    const products = await this.deps.catalog.findProducts(cart.items.map((i) => i.productId));
    const unavailable = cart.items.filter((i) => products.get(i.productId)?.status !== 'active').map((i) => i.productId);
    if (unavailable.length > 0) throw unprocessable('product_unavailable', 'Some products in your cart can no longer be bought', { product_ids: unavailable });

    const soldOut = (await this.deps.soldOut?.soldOut(cart.items.map((i) => i.productId))) ?? [];
    if (soldOut.length > 0) throw conflict('out_of_stock', 'Some items are out of stock; nothing was charged', { product_ids: soldOut });

    const lines: CheckoutLine[] = cart.items.map((item) => {
      const product = products.get(item.productId)!;
      return { product_id: item.productId, quantity: item.quantity, unit_price: product.price.amount, currency: product.price.currency, title: product.title };
    });
    const currency = lines[0]!.currency;
    if (lines.some((l) => l.currency !== currency)) throw unprocessable('currency_mismatch', 'All items must be in one currency');
    const total = lines.reduce((sum, l) => sum + l.unit_price * l.quantity, 0);
    if (total > MAX_AMOUNT) {
      throw unprocessable('order_total_too_large', `An order may total at most ${MAX_AMOUNT} minor units; split the cart into several orders`, { total, max: MAX_AMOUNT });
    }
    const changes = cart.items
      .filter((item) => item.unitPrice.amount !== products.get(item.productId)!.price.amount)
      .map((item) => ({ product_id: item.productId, old_unit_price: item.unitPrice.amount, new_unit_price: products.get(item.productId)!.price.amount }));
    const agreed = request.expectedTotal && request.expectedTotal.amount === total && request.expectedTotal.currency === currency;
    if ((changes.length > 0 || request.expectedTotal) && !agreed) {
      throw conflict('price_changed', 'Prices changed since the items were added; confirm the new total to continue', {
        changes,
        total: { amount: total, currency },
        how_to_confirm: 'send expected_total with this total',
      });
    }

    const address = await this.deps.addresses.getAddress(principal, request.shippingAddressId);
    await this.deps.payments.getMethod(principal, request.paymentMethodId);
    const cartProducts = [...products.values()];
    const guarded = cartProducts.filter((p) => p.checkoutChallenge).map((p) => p.id);
    if (guarded.length > 0) await this.deps.challenge.pass({ customerId: principal.accountId, idempotencyKey }, request.challengeToken, request.clientIp, guarded);
    const limits = new Map(cartProducts.map((p) => [p.id, p.purchaseLimit ?? this.options.defaultPurchaseLimit]));
    return {
      lines,
      total,
      currency,
      limits,
      address: {
        name: address.name,
        line1: address.line1,
        line2: address.line2,
        city: address.city,
        region: address.region,
        postal_code: address.postalCode,
        country: address.country,
        latitude: address.latitude,
        longitude: address.longitude,
      },
    };
  }
}

const ANSWERED_STATES = new Set(['placed', 'completed', 'failed', 'refused']);
const isAnswered = (c: KeyedRow) => c.outcome !== null && ANSWERED_STATES.has(c.state);

/** Refusals meant to be retried under the same key are not kept as its answer. */
const RETRYABLE_REFUSALS = new Set(['challenge_required', 'challenge_failed', 'challenge_unavailable']);
const isStoredRefusal = (error: unknown): error is AppError => error instanceof AppError && error.kind !== 'internal' && !RETRYABLE_REFUSALS.has(error.code);

/**
 * The row that answers this key and body. A key whose saga started is bound to that saga's
 * body; a key that only ever got refusals may carry a new body (undefined: go ahead).
 */
function answerRowFor(rows: KeyedRow[], hash: string): KeyedRow | undefined {
  const same = rows.find((r) => r.request_hash === hash);
  if (same) return same;
  if (rows.some((r) => r.state !== 'refused')) {
    throw unprocessable('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key');
  }
  return undefined;
}

function settle(outcome: CheckoutOutcome): PlacedCheckout {
  if ('placed' in outcome) return outcome.placed;
  throw new AppError(outcome.code, outcome.kind, outcome.message, outcome.details);
}

function requestHash(request: CheckoutRequest): string {
  const canonical = JSON.stringify([request.shippingAddressId, request.paymentMethodId, request.expectedTotal?.amount ?? null, request.expectedTotal?.currency ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}
