import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BACKENDS, type Backend } from './helpers/databases.ts';
import { addToCart, checkout, createBuyer, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';

/**
 * Round trips are what a checkout costs (about 100 µs of client CPU each, plus latency):
 * these ceilings fail when a change adds statements to the buy path. Counted by wrapping
 * the driver, from the request's arrival to its answer, for a single-item order.
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
    // A first order warms every cache a process keeps (warehouses, carriers, prepared lookups).
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
