import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BACKENDS, type Backend } from './helpers/databases.ts';
import { addToCart, checkout, createBuyer, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';

/**
 * Round trips are what a checkout costs (about 100 µs of client CPU each, plus latency):
 * this ceiling fails when a change adds statements to the buy path. Counted by wrapping
 * the driver, from the request's arrival to its answer, for a single-item order; the same
 * on every layout (one database, or main / inventory / orders apart). It was 60.
 *
 * Where the 30 go: session 1 · stored answer for the key 1 · cart 1 · products 1 · address 1 ·
 * payment method 1 · create the checkout under the customer's lock (begin, lock, insert
 * checked against purchase limits, commit) 4 · reserve (stock snapshot, conditional UPDATE
 * with its reservation row) 2 · authorize (payment with its token, PSP, payment status) 3 ·
 * capture (payment, PSP, payment status) 3 · confirm 1 · order with items, history and its
 * outbox event in one transaction 4 · cart emptied 1 · six persisted saga states 6.
 */
const CEILING = 30;

const LAYOUTS: { backend: Backend; split: boolean }[] = BACKENDS.flatMap((backend) => (backend === 'postgres' ? [false, true] : [false]).map((split) => ({ backend, split })));

describe.each(LAYOUTS)('statements per checkout ($backend, split: $split)', ({ backend, split }) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(backend, FAST_PAYMENTS, { split });
  });
  afterAll(async () => t?.close());

  it('places a single-item order within the statement budget', async () => {
    const { productIds: [productId] } = await stockedProducts(t.ctx, { stock: 10 });
    // The steady state is what is budgeted: a first order may read what later ones find cached.
    const warm = await createBuyer(t.app);
    await addToCart(t.app, warm, productId!, 1);
    expect((await checkout(t.app, warm)).statusCode).toBe(201);

    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, productId!, 1);
    const log = t.databases.statementLog;
    const start = log.length;
    const response = await checkout(t.app, buyer, newId());
    const statements = log.slice(start);
    expect(response.statusCode).toBe(201);
    if (process.env.CHECKOUT_STATEMENTS_PRINT) console.log(statements.map((s, i) => `${i + 1} [${s.database}] ${s.sql.slice(0, 200)}`).join('\n'));
    expect(statements.length).toBeLessThanOrEqual(CEILING);
  });
});
