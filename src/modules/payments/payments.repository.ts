import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';

export type PaymentStatus = 'pending' | 'authorized' | 'captured' | 'failed' | 'refunded';

export interface PaymentMethodsTable {
  id: string;
  account_id: string;
  provider: string;
  token: string;
  brand: string;
  last4: string;
  created_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface PaymentsTable {
  id: string;
  checkout_id: string;
  account_id: string;
  payment_method_id: string;
  provider: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  provider_ref: string | null;
  refunded_amount: Generated<number>;
  failure_code: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PaymentsTables {
  payment_methods: PaymentMethodsTable;
  payments: PaymentsTable;
}

export interface PaymentMethod {
  id: string;
  brand: string;
  last4: string;
  provider: string;
  createdAt: Date;
}

export interface Payment {
  id: string;
  checkoutId: string;
  accountId: string;
  paymentMethodId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  providerRef: string | null;
  refundedAmount: number;
  failureCode: string | null;
}

const as = (e: Executor<any>) => e as Executor<PaymentsTables>;

export const toMethod = (r: Selectable<PaymentMethodsTable>): PaymentMethod => ({
  id: r.id,
  brand: r.brand,
  last4: r.last4,
  provider: r.provider,
  createdAt: r.created_at,
});

const toPayment = (r: Selectable<PaymentsTable>): Payment => ({
  id: r.id,
  checkoutId: r.checkout_id,
  accountId: r.account_id,
  paymentMethodId: r.payment_method_id,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  providerRef: r.provider_ref,
  refundedAmount: r.refunded_amount,
  failureCode: r.failure_code,
});

export async function findLiveMethod(e: Executor<any>, accountId: string, id: string) {
  return as(e).selectFrom('payment_methods').selectAll().where('id', '=', id).where('account_id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
}

export async function insertMethod(e: Executor<any>, row: Omit<Selectable<PaymentMethodsTable>, 'created_at' | 'deleted_at'>) {
  return toMethod(await as(e).insertInto('payment_methods').values({ ...row, deleted_at: null }).returningAll().executeTakeFirstOrThrow());
}

/** Live methods of an account, oldest first, keyset-paginated on the id (a time-ordered UUIDv7, exact where created_at's microseconds are not). */
export async function listMethodsPage(e: Executor<any>, accountId: string, afterId: string | undefined, limit: number) {
  let query = as(e).selectFrom('payment_methods').selectAll().where('account_id', '=', accountId).where('deleted_at', 'is', null);
  if (afterId) query = query.where('id', '>', afterId);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map(toMethod);
}

export async function countLiveMethods(e: Executor<any>, accountId: string): Promise<number> {
  const row = await as(e).selectFrom('payment_methods').select((eb) => eb.fn.countAll<number>().as('n')).where('account_id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Serializes writes of one account's methods (the cap is a count), on PGlite and PostgreSQL alike. */
export async function lockAccountMethods(e: Executor<any>, accountId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`payment_methods:${accountId}`}))`.execute(e);
}

export async function softDeleteMethod(e: Executor<any>, accountId: string, id: string, now: Date) {
  const r = await as(e).updateTable('payment_methods').set({ deleted_at: now }).where('id', '=', id).where('account_id', '=', accountId).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findPayment(e: Executor<any>, checkoutId: string) {
  const row = await as(e).selectFrom('payments').selectAll().where('checkout_id', '=', checkoutId).executeTakeFirst();
  return row ? toPayment(row) : undefined;
}

/** Creates the payment record once per checkout; a second call returns the first. */
export async function ensurePayment(e: Executor<any>, row: Pick<Selectable<PaymentsTable>, 'id' | 'checkout_id' | 'account_id' | 'payment_method_id' | 'provider' | 'amount' | 'currency'>) {
  await as(e)
    .insertInto('payments')
    .values({ ...row, status: 'pending', provider_ref: null, failure_code: null })
    .onConflict((oc) => oc.column('checkout_id').doNothing())
    .execute();
  return (await findPayment(e, row.checkout_id))!;
}

/**
 * The checkout's payment (created on the first call) with the token of its live method, in
 * one round trip; undefined when the method is gone or a concurrent first call is not yet
 * visible (the caller then takes the slow path).
 */
export async function ensurePaymentWithToken(
  e: Executor<any>,
  row: Pick<Selectable<PaymentsTable>, 'id' | 'checkout_id' | 'account_id' | 'payment_method_id' | 'provider' | 'amount' | 'currency'>,
): Promise<{ payment: Payment; token: string } | undefined> {
  const { rows } = await sql<Selectable<PaymentsTable> & { token: string }>`
    with m as (
      select id, token from payment_methods where id = ${row.payment_method_id} and account_id = ${row.account_id} and deleted_at is null
    ), ins as (
      insert into payments (id, checkout_id, account_id, payment_method_id, provider, amount, currency, status)
      select ${row.id}, ${row.checkout_id}, ${row.account_id}, m.id, ${row.provider}, ${row.amount}, ${row.currency}, 'pending' from m
      on conflict (checkout_id) do nothing
      returning *
    ), p as (
      select * from ins
      union all
      select * from payments where checkout_id = ${row.checkout_id} and not exists (select 1 from ins)
    )
    select p.*, m.token from p cross join m`.execute(e);
  const found = rows[0];
  return found ? { payment: toPayment(found), token: found.token } : undefined;
}

/** Moves a payment between statuses; `from` guards against out-of-order updates. */
export async function transitionPayment(
  e: Executor<any>,
  checkoutId: string,
  from: PaymentStatus[],
  changes: { status: PaymentStatus; provider_ref?: string; failure_code?: string; refunded_amount?: number },
) {
  const row = await as(e)
    .updateTable('payments')
    .set({ ...changes, updated_at: new Date() })
    .where('checkout_id', '=', checkoutId)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  return row ? toPayment(row) : undefined;
}
