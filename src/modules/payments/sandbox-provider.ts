import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { randomToken } from '../../platform/ids.ts';
import { PaymentError, type AuthorizeRequest, type PaymentProvider } from './payment-provider.ts';

/**
 * Test tokens, like a real PSP's test cards. The token alone chooses the outcome.
 */
export const SANDBOX_TOKENS = {
  succeeds: 'tok_visa',
  declines: 'tok_decline',
  timesOut: 'tok_timeout',
  flaky: 'tok_flaky',
  slow: 'tok_slow',
} as const;

// A Map, not an object literal: the token is client input, and `toString` or `__proto__` must be unknown tokens.
const CARDS = new Map<string, { brand: string; last4: string }>([
  ['tok_visa', { brand: 'visa', last4: '4242' }],
  ['tok_mastercard', { brand: 'mastercard', last4: '4444' }],
  ['tok_decline', { brand: 'visa', last4: '0002' }],
  ['tok_timeout', { brand: 'visa', last4: '0119' }],
  ['tok_flaky', { brand: 'visa', last4: '0341' }],
  ['tok_slow', { brand: 'amex', last4: '0005' }],
]);

export interface SandboxOptions {
  /** How long `tok_slow` takes to authorize (default 3000 ms). */
  slowMs?: number;
  /** How many calls of `tok_flaky` fail before one succeeds (default 2). */
  flakyFailures?: number;
}

interface Operation {
  idempotency_key: string;
  operation: string;
  ref: string;
  amount: number;
  outcome: string;
  attempts: number;
  ready_at: Date;
}

/**
 * A PSP simulator with its own durable ledger (table `sandbox_psp_operations`), so it
 * behaves like an external service that outlives our processes: a retried call finds
 * the first one's outcome, and a crash on our side does not make it forget a charge.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  private readonly slowMs: number;
  private readonly flakyFailures: number;

  constructor(
    private readonly db: Kysely<any>,
    options: SandboxOptions = {},
  ) {
    this.slowMs = options.slowMs ?? 3000;
    this.flakyFailures = options.flakyFailures ?? 2;
  }

  async describeMethod(token: string) {
    const card = CARDS.get(token);
    if (!card) throw new PaymentError('invalid_payment_method', `Unknown payment token; sandbox tokens are ${[...CARDS.keys()].join(', ')}`, false);
    return card;
  }

  async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<{ ref: string }> {
    await this.describeMethod(request.token);
    if (request.token === 'tok_timeout' || request.token === 'tok_flaky') return this.authorizeFaulty(request, signal);
    // One round trip: the ledger row is created, or the first call's is returned (a retry finds its outcome).
    const outcome = request.token === 'tok_decline' ? 'declined' : 'authorized';
    const readyAt = new Date(Date.now() + (request.token === 'tok_slow' ? this.slowMs : 0));
    return this.settle(await this.record(request.idempotencyKey, 'authorize', request.amount, request.currency, outcome, readyAt), signal);
  }

  private async authorizeFaulty(request: AuthorizeRequest, signal: AbortSignal): Promise<{ ref: string }> {
    const existing = await this.find(request.idempotencyKey);
    if (existing && existing.outcome !== 'transient') return this.settle(existing, signal);
    if (request.token === 'tok_timeout') {
      // Never answers: the caller's timeout is the only way out.
      await sleep(2 ** 31 - 1, undefined, { signal });
      throw new PaymentError('timeout', 'unreachable', true);
    }
    const attempts = await this.countAttempt(request, existing);
    if (attempts <= this.flakyFailures) throw new PaymentError('processor_unavailable', 'Temporary processor error, retry', true);
    return this.settle((await this.find(request.idempotencyKey))!, signal);
  }

  async capture(request: { idempotencyKey: string; authorizationKey: string; amount: number }, signal: AbortSignal): Promise<void> {
    if (await this.captureReady(request)) return;
    const authorization = await this.find(request.authorizationKey);
    if (!authorization || authorization.outcome === 'declined') throw new PaymentError('no_authorization', 'Nothing was authorized under this key', false);
    if (authorization.outcome === 'voided') throw new PaymentError('authorization_voided', 'The authorization was cancelled', false);
    await this.settle(authorization, signal);
    if (request.amount > authorization.amount) throw new PaymentError('amount_too_large', 'Capture exceeds the authorized amount', false);
    await this.record(request.idempotencyKey, 'capture', request.amount, 'USD', 'captured', new Date(), authorization.ref);
    await this.db.updateTable('sandbox_psp_operations').set({ outcome: 'captured' }).where('idempotency_key', '=', request.authorizationKey).execute();
  }

  /**
   * Captures in one statement an authorization that is settled and covers the amount (the
   * usual case, right after authorize answered); false leaves every other case to the checks above.
   */
  private async captureReady(request: { idempotencyKey: string; authorizationKey: string; amount: number }): Promise<boolean> {
    const { rows } = await sql<{ captured: number }>`
      with auth as (
        select ref, amount from sandbox_psp_operations
        where idempotency_key = ${request.authorizationKey} and operation = 'authorize' and outcome in ('authorized', 'captured')
          and ready_at <= ${new Date()} and amount >= ${request.amount}
      ), ins as (
        insert into sandbox_psp_operations (idempotency_key, operation, ref, amount, currency, outcome, ready_at)
        select ${request.idempotencyKey}, 'capture', ref, ${request.amount}, 'USD', 'captured', ${new Date()} from auth
        on conflict (idempotency_key) do nothing
      ), upd as (
        update sandbox_psp_operations set outcome = 'captured'
        where idempotency_key = ${request.authorizationKey} and outcome = 'authorized' and exists (select 1 from auth)
      )
      select count(*)::int as captured from auth`.execute(this.db);
    return (rows[0]?.captured ?? 0) > 0;
  }

  async refund(request: { idempotencyKey: string; authorizationKey: string; amount: number }): Promise<void> {
    const authorization = await this.find(request.authorizationKey);
    if (!authorization) {
      // Nothing was authorized yet; make sure a late arrival under this key is void too.
      await this.record(request.authorizationKey, 'authorize', 0, 'USD', 'voided', new Date());
      return;
    }
    if (authorization.outcome === 'declined') return;
    if (authorization.outcome === 'transient') {
      await this.db.updateTable('sandbox_psp_operations').set({ outcome: 'voided' }).where('idempotency_key', '=', request.authorizationKey).execute();
      return;
    }
    const outcome = authorization.outcome === 'captured' ? 'refunded' : 'voided';
    if (authorization.outcome === 'refunded' || authorization.outcome === 'voided') return;
    await this.record(request.idempotencyKey, 'refund', request.amount, 'USD', outcome, new Date(), authorization.ref);
    await this.db.updateTable('sandbox_psp_operations').set({ outcome }).where('idempotency_key', '=', request.authorizationKey).execute();
  }

  /** The PSP's view of money actually taken (captured and not refunded), for invariant checks. */
  async capturedAuthorizations(): Promise<{ key: string; amount: number }[]> {
    const rows = await this.db
      .selectFrom('sandbox_psp_operations')
      .select(['idempotency_key', 'amount'])
      .where('operation', '=', 'authorize')
      .where('outcome', '=', 'captured')
      .execute();
    return rows.map((r) => ({ key: r.idempotency_key as string, amount: r.amount as number }));
  }

  /** The authorization's answer; re-read only after waiting, since it may have been voided meanwhile. */
  private async settle(row: Operation, signal: AbortSignal): Promise<{ ref: string }> {
    const wait = new Date(row.ready_at).getTime() - Date.now();
    let current = row;
    if (wait > 0) {
      await sleep(wait, undefined, { signal });
      current = (await this.find(row.idempotency_key))!;
    }
    if (current.outcome === 'declined') throw new PaymentError('card_declined', 'The card was declined', false);
    if (current.outcome === 'voided') throw new PaymentError('authorization_voided', 'The authorization was cancelled', false);
    return { ref: current.ref };
  }

  private async find(key: string): Promise<Operation | undefined> {
    return (await this.db.selectFrom('sandbox_psp_operations').selectAll().where('idempotency_key', '=', key).executeTakeFirst()) as Operation | undefined;
  }

  /** Records an operation once per key and returns the ledger's row for it (the first call's, on a retry). */
  private async record(key: string, operation: string, amount: number, currency: string, outcome: string, readyAt: Date, ref = `sbx_${randomToken(12)}`) {
    return (await this.db
      .insertInto('sandbox_psp_operations')
      .values({ idempotency_key: key, operation, ref, amount, currency, outcome, ready_at: readyAt })
      .onConflict((oc) => oc.column('idempotency_key').doUpdateSet({ idempotency_key: sql`excluded.idempotency_key` }))
      .returningAll()
      .executeTakeFirstOrThrow()) as Operation;
  }

  private async countAttempt(request: AuthorizeRequest, existing: Operation | undefined): Promise<number> {
    if (!existing) {
      await this.record(request.idempotencyKey, 'authorize', request.amount, request.currency, 'transient', new Date());
      return 1;
    }
    const row = await this.db
      .updateTable('sandbox_psp_operations')
      .set({ attempts: sql`attempts + 1` })
      .where('idempotency_key', '=', request.idempotencyKey)
      .returning(['attempts'])
      .executeTakeFirstOrThrow();
    const attempts = row.attempts as number;
    if (attempts > this.flakyFailures) {
      await this.db.updateTable('sandbox_psp_operations').set({ outcome: 'authorized' }).where('idempotency_key', '=', request.idempotencyKey).where('outcome', '=', 'transient').execute();
    }
    return attempts;
  }
}
