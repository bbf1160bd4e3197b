import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import { AppError, notFound, unprocessable } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import type { Principal } from '../../platform/principal.ts';
import { PaymentError, type PaymentProvider } from './payment-provider.ts';
import * as repo from './payments.repository.ts';
import { RetriesExhausted, withRetries, type RetryPolicy } from './retry.ts';

export const paymentDeclined = (reason: string) =>
  new AppError('payment_declined', 'payment_required', 'Your payment was declined; nothing was charged. Try another payment method.', { reason });

export const paymentUnavailable = () =>
  new AppError('payment_unavailable', 'unavailable', 'The payment provider did not answer in time; nothing was charged. Please try again.');

export interface PaymentsOptions {
  /** Live payment methods one account may keep (default 20). */
  maxMethods?: number;
}

const DEFAULT_MAX_METHODS = 20;
const MethodsCursor = cursorCodec({ i: 'uuid' });

/**
 * Saved payment methods (only the PSP token is stored) and the payment of each checkout.
 * Every provider call uses an idempotency key derived from the checkout id, so retries,
 * concurrent duplicates and crash recovery can never charge twice.
 *
 * Error codes: `invalid_payment_method` / `too_many_payment_methods` (422), `payment_method_not_found` (404), `invalid_cursor` (400),
 * `payment_declined` (402), `payment_unavailable` (503).
 */
export class PaymentsService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly provider: PaymentProvider,
    private readonly clock: Clock,
    private readonly retry: RetryPolicy,
    private readonly options: PaymentsOptions = {},
  ) {}

  /** Saves a method; at most `maxMethods` live ones per account (`too_many_payment_methods`, 422). */
  async addMethod(principal: Principal, token: string): Promise<repo.PaymentMethod> {
    let card: { brand: string; last4: string };
    try {
      card = await this.provider.describeMethod(token);
    } catch (error) {
      if (error instanceof PaymentError) throw unprocessable('invalid_payment_method', error.message);
      throw error;
    }
    const max = this.options.maxMethods ?? DEFAULT_MAX_METHODS;
    return this.db.transaction().execute(async (trx) => {
      await repo.lockAccountMethods(trx, principal.accountId);
      if ((await repo.countLiveMethods(trx, principal.accountId)) >= max) {
        throw unprocessable('too_many_payment_methods', `An account may keep at most ${max} payment methods; delete one first`, { max });
      }
      return repo.insertMethod(trx, { id: newId(), account_id: principal.accountId, provider: this.provider.name, token, ...card });
    });
  }

  /** The principal's live methods, oldest first, keyset-paginated (`invalid_cursor`, 400). */
  /** Every live method of the account (there are at most `maxMethods`), e.g. for a checkout form. */
  async listAllMethods(principal: Principal): Promise<repo.PaymentMethod[]> {
    return (await this.listMethods(principal, undefined, this.options.maxMethods ?? DEFAULT_MAX_METHODS)).methods;
  }

  async listMethods(principal: Principal, cursor: string | undefined, limit: number): Promise<{ methods: repo.PaymentMethod[]; nextCursor: string | null }> {
    const after = cursor ? MethodsCursor.decode(cursor) : undefined;
    const rows = await repo.listMethodsPage(this.db, principal.accountId, after?.i, limit + 1);
    const methods = rows.slice(0, limit);
    const last = methods[methods.length - 1];
    return { methods, nextCursor: rows.length > limit && last ? MethodsCursor.encode({ i: last.id }) : null };
  }

  /** One of the principal's own methods; another customer's is reported as not found. */
  async getMethod(principal: Principal, id: string): Promise<repo.PaymentMethod> {
    const row = await repo.findLiveMethod(this.db, principal.accountId, id);
    if (!row) throw notFound('payment_method', id);
    return repo.toMethod(row);
  }

  async deleteMethod(principal: Principal, id: string): Promise<void> {
    if (!(await repo.softDeleteMethod(this.db, principal.accountId, id, this.clock.now()))) throw notFound('payment_method', id);
  }

  findPayment(checkoutId: string) {
    return repo.findPayment(this.db, checkoutId);
  }

  /**
   * Authorizes the checkout's amount. On a decline throws `payment_declined`; when the
   * provider stays unreachable, cancels whatever may have been authorized late and throws
   * `payment_unavailable`. Calling it again for an authorized checkout is a no-op.
   */
  async authorize(input: { checkoutId: string; accountId: string; paymentMethodId: string; amount: number; currency: string }): Promise<repo.Payment> {
    const { payment, token } = await this.ensurePayment(input);
    if (payment.status === 'authorized' || payment.status === 'captured') return payment;
    if (payment.status === 'failed' || payment.status === 'refunded') throw paymentDeclined(payment.failureCode ?? 'failed');
    try {
      const { ref } = await withRetries(this.retry, (signal) =>
        this.provider.authorize({ idempotencyKey: authorizationKey(input.checkoutId), token, amount: payment.amount, currency: payment.currency }, signal),
      );
      return (await repo.transitionPayment(this.db, input.checkoutId, ['pending', 'authorized'], { status: 'authorized', provider_ref: ref }))
        ?? (await repo.findPayment(this.db, input.checkoutId))!;
    } catch (error) {
      if (error instanceof PaymentError) {
        await repo.transitionPayment(this.db, input.checkoutId, ['pending'], { status: 'failed', failure_code: error.code });
        throw paymentDeclined(error.code);
      }
      if (error instanceof RetriesExhausted) {
        await this.refund(input.checkoutId);
        throw paymentUnavailable();
      }
      throw error;
    }
  }

  /** The checkout's payment record (created once) and its method's token: one round trip on the way of a new checkout. */
  private async ensurePayment(input: { checkoutId: string; accountId: string; paymentMethodId: string; amount: number; currency: string }) {
    const row = {
      id: newId(),
      checkout_id: input.checkoutId,
      account_id: input.accountId,
      payment_method_id: input.paymentMethodId,
      provider: this.provider.name,
      amount: input.amount,
      currency: input.currency,
    };
    const fast = await repo.ensurePaymentWithToken(this.db, row);
    if (fast) return fast;
    const method = await repo.findLiveMethod(this.db, input.accountId, input.paymentMethodId);
    if (!method) throw notFound('payment_method', input.paymentMethodId);
    return { payment: await repo.ensurePayment(this.db, row), token: method.token };
  }

  /** Captures an authorized payment; idempotent. Throws `payment_unavailable` if the PSP stays unreachable. */
  async capture(checkoutId: string): Promise<repo.Payment> {
    const payment = await repo.findPayment(this.db, checkoutId);
    if (!payment) throw notFound('payment', undefined, { checkout_id: checkoutId });
    if (payment.status === 'captured') return payment;
    if (payment.status !== 'authorized') throw new AppError('payment_not_authorized', 'conflict', `Payment is ${payment.status}, not authorized`);
    try {
      await withRetries(this.retry, (signal) =>
        this.provider.capture({ idempotencyKey: `${checkoutId}:capture`, authorizationKey: authorizationKey(checkoutId), amount: payment.amount }, signal),
      );
    } catch (error) {
      if (error instanceof RetriesExhausted) throw paymentUnavailable();
      throw error;
    }
    return (await repo.transitionPayment(this.db, checkoutId, ['authorized', 'captured'], { status: 'captured' })) ?? (await repo.findPayment(this.db, checkoutId))!;
  }

  /**
   * Gives the whole amount back (refund if captured, void if only authorized, and cancels
   * an authorization possibly still in flight). Idempotent; safe with no payment at all.
   */
  async refund(checkoutId: string): Promise<void> {
    const payment = await repo.findPayment(this.db, checkoutId);
    if (payment?.status === 'refunded') return;
    await withRetries({ ...this.retry, maxAttempts: Math.max(this.retry.maxAttempts, 5) }, (signal) =>
      this.provider.refund({ idempotencyKey: `${checkoutId}:refund`, authorizationKey: authorizationKey(checkoutId), amount: payment?.amount ?? 0 }, signal),
    );
    if (payment) {
      await repo.transitionPayment(this.db, checkoutId, ['pending', 'authorized', 'captured'], {
        status: 'refunded',
        refunded_amount: payment.status === 'captured' ? payment.amount : 0,
      });
    }
  }
}

const authorizationKey = (checkoutId: string) => `${checkoutId}:authorize`;
