import { sql, type Kysely } from 'kysely';

/**
 * Checkouts keep their answer as an outcome (`{placed: …}` or `{code, kind, message, details}`),
 * not as an HTTP status and body: the HTTP layer maps kinds to statuses like for every other
 * route. Rows kept for idempotent replay are converted in place.
 *
 * Refusals before the saga starts (sold out at the pre-filter, an empty cart, a changed price…)
 * are now rows too (state `refused`, without lines or address), so a retry of the same key and
 * body gets the same refusal. A key is bound to one body once a saga started for it; until then
 * (only refusals) a different body may still use it, each body keeping its own answer — this is
 * how a client confirms a changed price under the same key.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table checkouts add column outcome jsonb`.execute(db);
  // Kept from the authorize step, so placing the order needs no second look at the payment.
  await sql`alter table checkouts add column payment_id uuid`.execute(db);
  await sql`
    update checkouts set outcome = case
      when response_status = 201 then jsonb_build_object('placed', response_body)
      else jsonb_build_object(
        'code', response_body->'error'->>'code',
        'kind', case response_status
          when 402 then 'payment_required' when 404 then 'not_found' when 409 then 'conflict'
          when 422 then 'unprocessable' when 503 then 'unavailable' else 'internal' end,
        'message', response_body->'error'->>'message'
      ) || case when response_body->'error' ? 'details' then jsonb_build_object('details', response_body->'error'->'details') else '{}'::jsonb end
    end
    where response_status is not null`.execute(db);
  await sql`alter table checkouts drop column response_status, drop column response_body`.execute(db);

  await sql`alter table checkouts drop constraint checkouts_state_check`.execute(db);
  await sql`alter table checkouts add constraint checkouts_state_check
    check (state in ('pending', 'reserved', 'authorized', 'captured', 'confirmed', 'placed', 'completed', 'compensating', 'failed', 'refused'))`.execute(db);
  await sql`alter table checkouts add constraint checkouts_refusal_answered check (state <> 'refused' or outcome is not null)`.execute(db);
  for (const column of ['lines', 'total_amount', 'currency', 'shipping_address', 'payment_method_id']) {
    await sql`alter table checkouts alter column ${sql.ref(column)} drop not null`.execute(db);
  }
  await sql`alter table checkouts add constraint checkouts_saga_complete
    check (state = 'refused' or (lines is not null and total_amount is not null and currency is not null and shipping_address is not null and payment_method_id is not null))`.execute(db);

  await sql`alter table checkouts drop constraint checkouts_customer_idempotency_key`.execute(db);
  await sql`alter table checkouts add constraint checkouts_customer_key_request unique (customer_id, idempotency_key, request_hash)`.execute(db);
  await sql`create unique index checkouts_one_saga_per_key on checkouts (customer_id, idempotency_key) where state <> 'refused'`.execute(db);
  await sql`drop index checkouts_unfinished_idx`.execute(db);
  await sql`create index checkouts_unfinished_idx on checkouts (lease_expires_at) where state not in ('completed', 'failed', 'refused')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from checkouts where state = 'refused'`.execute(db);
  await sql`drop index checkouts_unfinished_idx`.execute(db);
  await sql`create index checkouts_unfinished_idx on checkouts (lease_expires_at) where state not in ('completed', 'failed')`.execute(db);
  await sql`drop index checkouts_one_saga_per_key`.execute(db);
  await sql`alter table checkouts drop constraint checkouts_customer_key_request`.execute(db);
  await sql`alter table checkouts add constraint checkouts_customer_idempotency_key unique (customer_id, idempotency_key)`.execute(db);
  await sql`alter table checkouts drop constraint checkouts_saga_complete, drop constraint checkouts_refusal_answered, drop constraint checkouts_state_check`.execute(db);
  await sql`alter table checkouts add constraint checkouts_state_check
    check (state in ('pending', 'reserved', 'authorized', 'captured', 'confirmed', 'placed', 'completed', 'compensating', 'failed'))`.execute(db);
  for (const column of ['lines', 'total_amount', 'currency', 'shipping_address', 'payment_method_id']) {
    await sql`alter table checkouts alter column ${sql.ref(column)} set not null`.execute(db);
  }
  await sql`alter table checkouts add column response_status integer, add column response_body jsonb`.execute(db);
  await sql`
    update checkouts set
      response_status = case when outcome ? 'placed' then 201 else case outcome->>'kind'
        when 'payment_required' then 402 when 'not_found' then 404 when 'conflict' then 409
        when 'unprocessable' then 422 when 'unavailable' then 503 else 500 end end,
      response_body = case when outcome ? 'placed' then outcome->'placed'
        else jsonb_build_object('error', outcome - 'kind') end
    where outcome is not null`.execute(db);
  await sql`alter table checkouts drop column outcome, drop column payment_id`.execute(db);
}
