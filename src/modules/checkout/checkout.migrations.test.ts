import { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPGlite } from '../../platform/database.ts';
import { newId } from '../../platform/ids.ts';
import { PGliteDialect } from '../../platform/pglite-dialect.ts';
import * as m0001 from './migrations/0001_checkouts.ts';
import * as m0002 from './migrations/0002_checkout_outcomes.ts';

describe('checkout outcomes migration', () => {
  let db: Kysely<any>;
  beforeAll(async () => {
    db = new Kysely<any>({ dialect: new PGliteDialect(await openPGlite('memory://')) });
    await m0001.up(db);
  });
  afterAll(async () => db?.destroy());

  const row = (state: string, status: number | null, body: unknown) => ({
    id: newId(),
    customer_id: newId(),
    idempotency_key: newId(),
    request_hash: 'h',
    state,
    lines: JSON.stringify([]),
    total_amount: 100,
    currency: 'USD',
    shipping_address: JSON.stringify({ latitude: 0, longitude: 0 }),
    payment_method_id: newId(),
    response_status: status,
    response_body: JSON.stringify(body),
    lease_expires_at: new Date(),
    created_at: new Date(),
    updated_at: new Date(),
  });

  it('turns stored HTTP answers into outcomes that replay the same answer, and back', async () => {
    const placed = { order_id: newId(), status: 'placed', estimated_delivery: '2026-12-03', total_charged: { amount: 100, currency: 'USD' } };
    const rows = [
      row('completed', 201, placed),
      row('failed', 402, { error: { code: 'payment_declined', message: 'Declined' } }),
      row('failed', 409, { error: { code: 'out_of_stock', message: 'Sold out', details: { product_ids: ['p'] } } }),
      row('failed', 503, { error: { code: 'payment_unavailable', message: 'Try again' } }),
      row('pending', null, null),
    ];
    await db.insertInto('checkouts').values(rows).execute();
    await m0002.up(db);
    const outcomes = new Map((await db.selectFrom('checkouts').select(['id', 'outcome']).execute()).map((r) => [r.id, r.outcome]));
    expect(rows.map((r) => outcomes.get(r.id))).toEqual([
      { placed },
      { code: 'payment_declined', kind: 'payment_required', message: 'Declined' },
      { code: 'out_of_stock', kind: 'conflict', message: 'Sold out', details: { product_ids: ['p'] } },
      { code: 'payment_unavailable', kind: 'unavailable', message: 'Try again' },
      null,
    ]);

    await m0002.down(db);
    const back = new Map((await db.selectFrom('checkouts').select(['id', 'response_status', 'response_body']).execute()).map((r) => [r.id, [r.response_status, r.response_body]]));
    expect(rows.map((r) => back.get(r.id))).toEqual(rows.map((r) => [r.response_status, JSON.parse(r.response_body)]));
  });
});
