import { sql, type Generated, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';

export type CheckoutState = 'pending' | 'reserved' | 'authorized' | 'captured' | 'confirmed' | 'placed' | 'completed' | 'compensating' | 'failed';
export const TERMINAL_STATES: CheckoutState[] = ['completed', 'failed'];

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

export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface CheckoutsTable {
  id: string;
  customer_id: string;
  idempotency_key: string;
  request_hash: string;
  state: CheckoutState;
  lines: CheckoutLine[];
  allocations: Allocation[] | null;
  total_amount: number;
  currency: string;
  shipping_address: Record<string, unknown> & { latitude: number; longitude: number };
  payment_method_id: string;
  estimated_delivery: string | null;
  response_status: number | null;
  response_body: unknown;
  failure_code: string | null;
  lease_expires_at: Date;
  recoveries: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export type Checkout = Selectable<CheckoutsTable>;

interface Tables {
  checkouts: CheckoutsTable;
}
const as = (e: Executor<any>) => e as Executor<Tables>;
const json = (value: unknown) => JSON.stringify(value) as never;

export async function findByKey(e: Executor<any>, customerId: string, key: string): Promise<Checkout | undefined> {
  return as(e).selectFrom('checkouts').selectAll().where('customer_id', '=', customerId).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function findById(e: Executor<any>, id: string): Promise<Checkout | undefined> {
  return as(e).selectFrom('checkouts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a new checkout; returns undefined when the (customer, key) pair already exists. */
export async function insertCheckout(e: Executor<any>, row: Omit<Checkout, 'recoveries'>): Promise<Checkout | undefined> {
  return as(e)
    .insertInto('checkouts')
    .values({ ...row, lines: json(row.lines), allocations: json(row.allocations), shipping_address: json(row.shipping_address), response_body: json(row.response_body) })
    .onConflict((oc) => oc.columns(['customer_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Advances the saga only from the expected state; undefined means someone else moved it. */
export async function advance(
  e: Executor<any>,
  id: string,
  from: CheckoutState,
  changes: Partial<Pick<Checkout, 'state' | 'allocations' | 'estimated_delivery' | 'response_status' | 'response_body' | 'failure_code' | 'lease_expires_at'>> & {
    updated_at: Date;
  },
): Promise<Checkout | undefined> {
  const { allocations, response_body, ...rest } = changes;
  return as(e)
    .updateTable('checkouts')
    .set({
      ...rest,
      ...(allocations !== undefined ? { allocations: json(allocations) } : {}),
      ...(response_body !== undefined ? { response_body: json(response_body) } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .returningAll()
    .executeTakeFirst();
}

/** Takes over an unfinished checkout whose lease ran out (its process died or stalled). */
export async function claimAbandoned(e: Executor<any>, now: Date, leaseUntil: Date, limit: number): Promise<Checkout[]> {
  const candidates = await as(e)
    .selectFrom('checkouts')
    .select('id')
    .where('state', 'not in', ['completed', 'failed'])
    .where('lease_expires_at', '<', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute();
  const claimed: Checkout[] = [];
  for (const { id } of candidates) {
    const row = await as(e)
      .updateTable('checkouts')
      .set({ lease_expires_at: leaseUntil, recoveries: sql`recoveries + 1`, updated_at: now })
      .where('id', '=', id)
      .where('state', 'not in', ['completed', 'failed'])
      .where('lease_expires_at', '<', now)
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(row);
  }
  return claimed;
}

/** Units of each product this customer has bought or is buying since `since` (failed checkouts excluded). */
export async function unitsInCheckoutsSince(e: Executor<any>, customerId: string, since: Date): Promise<Map<string, number>> {
  const { rows } = await sql<{ product_id: string; units: number }>`
    select line->>'product_id' as product_id, sum((line->>'quantity')::int)::int as units
    from checkouts, jsonb_array_elements(checkouts.lines) as line
    where customer_id = ${customerId} and created_at >= ${since} and state <> 'failed'
    group by 1`.execute(e);
  return new Map(rows.map((r) => [r.product_id, Number(r.units)]));
}

/** Serializes purchase-limit checks of one customer across processes for the rest of the transaction. */
export async function lockCustomer(e: Executor<any>, customerId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`checkout:${customerId}`}))`.execute(e);
}
