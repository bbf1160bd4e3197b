import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { ErrorKind } from '../../platform/errors.ts';

export type CheckoutState = 'pending' | 'reserved' | 'authorized' | 'captured' | 'confirmed' | 'placed' | 'completed' | 'compensating' | 'failed' | 'refused';
/** `refused`: answered before any saga started (nothing reserved, nothing charged); the row only keeps the answer. */
export const TERMINAL_STATES: CheckoutState[] = ['completed', 'failed', 'refused'];

export interface CheckoutLine {
  product_id: string;
  quantity: number;
  unit_price: number;
  currency: string;
  title: string;
}

export interface Allocation {
  reservation_id: string;
  product_id: string;
  warehouse_id: string;
  quantity: number;
}

/** What the customer was told about a placed order. */
export interface PlacedCheckout {
  order_id: string;
  status: 'placed';
  estimated_delivery: string;
  total_charged: { amount: number; currency: string };
}

/** A refusal in the platform's error vocabulary; the HTTP layer maps `kind` to a status. */
export interface CheckoutRefusal {
  code: string;
  kind: ErrorKind;
  message: string;
  details?: Record<string, unknown>;
}

/** The answer to an idempotency key (and request body), replayed verbatim to every retry. */
export type CheckoutOutcome = { placed: PlacedCheckout } | CheckoutRefusal;

export interface CheckoutsTable {
  id: string;
  customer_id: string;
  idempotency_key: string;
  request_hash: string;
  state: CheckoutState;
  lines: CheckoutLine[] | null;
  allocations: Allocation[] | null;
  total_amount: number | null;
  currency: string | null;
  shipping_address: ShippingAddress | null;
  payment_method_id: string | null;
  estimated_delivery: string | null;
  outcome: CheckoutOutcome | null;
  payment_id: string | null;
  failure_code: string | null;
  lease_expires_at: Date;
  recoveries: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

type ShippingAddress = Record<string, unknown> & { latitude: number; longitude: number };

/** Any row kept for an idempotency key: a saga's checkout or a refusal. */
export type KeyedRow = Selectable<CheckoutsTable>;

/** A checkout whose saga started: what it buys, where to and how it pays are known. */
export type Checkout = KeyedRow & { lines: CheckoutLine[]; total_amount: number; currency: string; shipping_address: ShippingAddress; payment_method_id: string };

interface Tables {
  checkouts: CheckoutsTable;
}
const as = (e: Executor<any>) => e as Executor<Tables>;
const json = (value: unknown) => JSON.stringify(value) as never;

/** Every row kept for a key: at most one saga, plus refusals of other bodies. */
export async function findByKey(e: Executor<any>, customerId: string, key: string): Promise<KeyedRow[]> {
  return as(e).selectFrom('checkouts').selectAll().where('customer_id', '=', customerId).where('idempotency_key', '=', key).execute();
}

export async function findById(e: Executor<any>, id: string): Promise<KeyedRow | undefined> {
  return as(e).selectFrom('checkouts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a new checkout; returns undefined when the key already has a row for this body (or a saga). */
export async function insertCheckout(e: Executor<any>, row: Omit<Checkout, 'recoveries'>): Promise<Checkout | undefined> {
  return (await as(e)
    .insertInto('checkouts')
    .values({ ...row, lines: json(row.lines), allocations: json(row.allocations), shipping_address: json(row.shipping_address), outcome: json(row.outcome) })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()) as Checkout | undefined;
}

/**
 * Keeps a refusal given before any saga started as the answer to this key and body.
 * Returns undefined when the key already has a row for this body (a concurrent duplicate won).
 */
export async function insertRefusal(
  e: Executor<any>,
  row: { id: string; customer_id: string; idempotency_key: string; request_hash: string; outcome: CheckoutRefusal; now: Date },
): Promise<KeyedRow | undefined> {
  return as(e)
    .insertInto('checkouts')
    .values({
      id: row.id,
      customer_id: row.customer_id,
      idempotency_key: row.idempotency_key,
      request_hash: row.request_hash,
      state: 'refused',
      lines: null,
      allocations: null,
      total_amount: null,
      currency: null,
      shipping_address: null,
      payment_method_id: null,
      estimated_delivery: null,
      outcome: json(row.outcome),
      payment_id: null,
      failure_code: row.outcome.code,
      lease_expires_at: row.now,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Advances the saga only from the expected state; undefined means someone else moved it. */
export async function advance(
  e: Executor<any>,
  id: string,
  from: CheckoutState,
  changes: Partial<Pick<Checkout, 'state' | 'allocations' | 'estimated_delivery' | 'outcome' | 'payment_id' | 'failure_code' | 'lease_expires_at'>> & {
    updated_at: Date;
  },
): Promise<Checkout | undefined> {
  const { allocations, outcome, ...rest } = changes;
  return (await as(e)
    .updateTable('checkouts')
    .set({
      ...rest,
      ...(allocations !== undefined ? { allocations: json(allocations) } : {}),
      ...(outcome !== undefined ? { outcome: json(outcome) } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .returningAll()
    .executeTakeFirst()) as Checkout | undefined;
}

/** Takes over this one checkout if its lease ran out; undefined when it is live or finished. */
export async function claimIfAbandoned(e: Executor<any>, id: string, now: Date, leaseUntil: Date): Promise<Checkout | undefined> {
  return (await as(e)
    .updateTable('checkouts')
    .set({ lease_expires_at: leaseUntil, recoveries: sql`recoveries + 1`, updated_at: now })
    .where('id', '=', id)
    .where('state', 'not in', TERMINAL_STATES)
    .where('lease_expires_at', '<', now)
    .returningAll()
    .executeTakeFirst()) as Checkout | undefined;
}

/** Takes over an unfinished checkout whose lease ran out (its process died or stalled). */
export async function claimAbandoned(e: Executor<any>, now: Date, leaseUntil: Date, limit: number): Promise<Checkout[]> {
  const candidates = await as(e)
    .selectFrom('checkouts')
    .select('id')
    .where('state', 'not in', TERMINAL_STATES)
    .where('lease_expires_at', '<', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute();
  const claimed: Checkout[] = [];
  for (const { id } of candidates) {
    const row = await claimIfAbandoned(e, id, now, leaseUntil);
    if (row) claimed.push(row);
  }
  return claimed;
}

export interface LimitLine {
  product_id: string;
  requested: number;
  limit: number;
}

/**
 * Inserts a new checkout unless a line would take the customer past its purchase limit
 * (units in their checkouts since `since`, failed and refused ones excluded), in one
 * statement. Run under `lockCustomer`, so the sum sees every earlier checkout of theirs.
 * `over` lists the lines past their limit; neither field set means the key already has
 * a row for this body (or a saga) and nothing was written.
 */
export async function insertCheckoutWithinLimits(
  e: Executor<any>,
  row: Omit<Checkout, 'recoveries'>,
  lines: LimitLine[],
  since: Date,
): Promise<{ inserted?: Checkout; over?: { product_id: string; limit: number; already: number; requested: number }[] }> {
  const wanted = sql.join(lines.map((l) => sql`(${l.product_id}::text, ${l.requested}::int, ${l.limit}::int)`));
  const { rows } = await sql<Checkout & { over_limit: { product_id: string; limit: number; already: number; requested: number }[] | null }>`
    with bought as (
      select line->>'product_id' as product_id, sum((line->>'quantity')::int)::int as units
      from checkouts, jsonb_array_elements(checkouts.lines) as line
      where customer_id = ${row.customer_id} and created_at >= ${since} and state not in ('failed', 'refused')
      group by 1
    ), wanted (product_id, requested, lim) as (values ${wanted}
    ), over as (
      select w.product_id, w.lim as "limit", coalesce(b.units, 0) as already, w.requested
      from wanted w left join bought b on b.product_id = w.product_id
      where coalesce(b.units, 0) + w.requested > w.lim
    ), ins as (
      insert into checkouts (id, customer_id, idempotency_key, request_hash, state, lines, allocations, total_amount, currency, shipping_address, payment_method_id,
        estimated_delivery, outcome, payment_id, failure_code, lease_expires_at, created_at, updated_at)
      select ${row.id}, ${row.customer_id}, ${row.idempotency_key}, ${row.request_hash}, ${row.state}, ${JSON.stringify(row.lines)}::jsonb, null, ${row.total_amount},
        ${row.currency}, ${JSON.stringify(row.shipping_address)}::jsonb, ${row.payment_method_id}::uuid, null::date, null::jsonb, null::uuid, null, ${row.lease_expires_at}::timestamptz,
        ${row.created_at}::timestamptz, ${row.updated_at}::timestamptz
      where not exists (select 1 from over)
      on conflict do nothing
      returning *
    )
    select ins.*, (select jsonb_agg(to_jsonb(over)) from over) as over_limit
    from (select 1) as one left join ins on true`.execute(e);
  const result = rows[0]!;
  if (result.over_limit) return { over: result.over_limit };
  if (result.id === null) return {};
  const { over_limit: _, ...inserted } = result;
  return { inserted: inserted as Checkout };
}

/** Serializes purchase-limit checks of one customer across processes for the rest of the transaction. */
export async function lockCustomer(e: Executor<any>, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`checkout:${customerId}`}))`.execute(e);
}
