import { fetchProductIds } from '../lib/catalog.ts';
import { call, checkout, createShopper, expectOk, inPool, percentile, type Answer, type Shopper } from '../lib/shoppers.ts';
import type { Scenario, ScenarioContext, ScenarioRow } from '../lib/types.ts';

const SHOPPERS = Number(process.env.BENCH_CHECKOUT_SHOPPERS ?? 300);
const FLASH_BUYERS = Number(process.env.BENCH_FLASH_BUYERS ?? 2000);
const FLASH_UNITS = Number(process.env.BENCH_FLASH_UNITS ?? 100);
const MULTI_SHOPPERS = Number(process.env.BENCH_CHECKOUT_MULTI_SHOPPERS ?? 200);
const LINES_PER_ORDER = 3;

function rowOf(label: string, answers: Answer[], seconds: number, note: string): ScenarioRow {
  const ms = answers.map((a) => a.ms);
  return {
    label,
    requestsPerSecond: answers.length / seconds,
    p50Ms: Math.round(percentile(ms, 50)),
    p99Ms: Math.round(percentile(ms, 99)),
    requests: answers.length,
    errors: 0,
    non2xx: answers.filter((a) => a.status >= 300).length,
    note,
  };
}

async function adminAuth(context: ScenarioContext): Promise<Record<string, string>> {
  if (!context.admin) throw new Error('the checkout scenario needs the bench admin account');
  const { token } = await expectOk(call(context.baseUrl, 'POST', '/v1/auth/login', context.admin), 'admin login');
  return { authorization: `Bearer ${token}` };
}

interface StockRow {
  warehouse_id: string;
  reserved_stock: number;
  sold_stock: number;
}

async function readStock(context: ScenarioContext, admin: Record<string, string>, productId: string): Promise<StockRow[]> {
  return (await expectOk(call(context.baseUrl, 'GET', `/v1/admin/inventory/${productId}`, undefined, admin), 'read stock')).warehouses;
}

const sum = (rows: StockRow[], column: 'reserved_stock' | 'sold_stock') => rows.reduce((n, r) => n + r[column], 0);

/**
 * Gives a product exactly `units` sellable units, all in the first warehouse: every row
 * keeps what is already reserved or sold (totals cannot drop below it) plus nothing more,
 * except the first, which gets `units` on top.
 */
async function stockExactly(context: ScenarioContext, admin: Record<string, string>, productId: string, units: number) {
  const { warehouses } = await expectOk(call(context.baseUrl, 'GET', '/v1/admin/warehouses', undefined, admin), 'list warehouses');
  const committed = new Map((await readStock(context, admin, productId)).map((r) => [r.warehouse_id, r.reserved_stock + r.sold_stock]));
  for (const [i, w] of (warehouses as { id: string }[]).entries()) {
    const total = (committed.get(w.id) ?? 0) + (i === 0 ? units : 0);
    await expectOk(call(context.baseUrl, 'PUT', `/v1/admin/inventory/${productId}/warehouses/${w.id}`, { total_stock: total }, admin), 'set stock');
  }
}

async function shoppersWithCarts(context: ScenarioContext, count: number, productFor: (i: number) => string, label: string): Promise<Shopper[]> {
  return inPool(
    32,
    Array.from({ length: count }, (_, i) => async () => {
      const shopper = await createShopper(context.baseUrl);
      await expectOk(call(context.baseUrl, 'POST', '/v1/cart/items', { product_id: productFor(i), quantity: 1 }, shopper.auth), 'add to cart');
      return shopper;
    }),
    context.log,
    label,
  );
}

async function uncontended(context: ScenarioContext, admin: Record<string, string>): Promise<ScenarioRow> {
  const ids = (await fetchProductIds(context.baseUrl, SHOPPERS)).slice(0, SHOPPERS);
  context.log(`  restocking ${ids.length} products and creating ${SHOPPERS} shoppers, one product each …`);
  await inPool(8, ids.map((id) => () => stockExactly(context, admin, id, 1000)));
  const shoppers = await shoppersWithCarts(context, SHOPPERS, (i) => ids[i % ids.length]!, 'shoppers');
  const started = performance.now();
  const answers = await inPool(context.connections, shoppers.map((s) => () => checkout(context.baseUrl, s)));
  const seconds = (performance.now() - started) / 1000;
  const placed = answers.filter((a) => a.status === 201).length;
  return rowOf(
    `checkouts, single-item orders over ${ids.length} products (no contention)`,
    answers,
    seconds,
    `${placed} of ${answers.length} placed (201); ${context.connections} checkouts in flight; each one reserves, authorizes, captures, confirms and writes the order`,
  );
}

/** Three-item orders over products no other row sells, one line each of three products per shopper. */
async function multiItem(context: ScenarioContext, admin: Record<string, string>): Promise<ScenarioRow> {
  const offset = SHOPPERS + 1;
  const all = await fetchProductIds(context.baseUrl, offset + MULTI_SHOPPERS * LINES_PER_ORDER);
  const ids = all.slice(offset);
  if (ids.length < LINES_PER_ORDER) throw new Error(`the 3-item orders need at least ${offset + LINES_PER_ORDER} products`);
  context.log(`  restocking ${ids.length} products and creating ${MULTI_SHOPPERS} shoppers with ${LINES_PER_ORDER}-item carts …`);
  await inPool(8, ids.map((id) => () => stockExactly(context, admin, id, 1000)));
  const shoppers = await inPool(
    32,
    Array.from({ length: MULTI_SHOPPERS }, (_, i) => async () => {
      const shopper = await createShopper(context.baseUrl);
      for (let line = 0; line < LINES_PER_ORDER; line++) {
        const productId = ids[(i * LINES_PER_ORDER + line) % ids.length]!;
        await expectOk(call(context.baseUrl, 'POST', '/v1/cart/items', { product_id: productId, quantity: 1 }, shopper.auth), 'add to cart');
      }
      return shopper;
    }),
    context.log,
    'shoppers',
  );
  const started = performance.now();
  const answers = await inPool(context.connections, shoppers.map((s) => () => checkout(context.baseUrl, s)));
  const seconds = (performance.now() - started) / 1000;
  const placed = answers.filter((a) => a.status === 201).length;
  return rowOf(
    `checkouts, ${LINES_PER_ORDER}-item orders over ${ids.length} products`,
    answers,
    seconds,
    `${placed} of ${answers.length} placed (201); ${context.connections} checkouts in flight; ${LINES_PER_ORDER} reservations and order lines per checkout`,
  );
}

async function flashSale(context: ScenarioContext, admin: Record<string, string>): Promise<ScenarioRow> {
  // A product the uncontended run did not sell, so its sales are the flash sale's alone.
  const productId = (await fetchProductIds(context.baseUrl, SHOPPERS + 1))[SHOPPERS];
  if (!productId) throw new Error(`the flash sale needs at least ${SHOPPERS + 1} products`);
  await stockExactly(context, admin, productId, FLASH_UNITS);
  const soldBefore = sum(await readStock(context, admin, productId), 'sold_stock');
  context.log(`  creating ${FLASH_BUYERS} buyers with the flash-sale product in their carts …`);
  const buyers = await shoppersWithCarts(context, FLASH_BUYERS, () => productId, 'buyers');
  context.log(`  ${FLASH_BUYERS} buyers check out at once for ${FLASH_UNITS} units …`);
  const started = performance.now();
  const answers = await Promise.all(buyers.map((b) => checkout(context.baseUrl, b)));
  const seconds = (performance.now() - started) / 1000;
  const stock = await readStock(context, admin, productId);
  const sold = sum(stock, 'sold_stock') - soldBefore;
  const reserved = sum(stock, 'reserved_stock');
  const placed = answers.filter((a) => a.status === 201).length;
  const soldOut = answers.filter((a) => a.status === 409 && a.body?.error?.code === 'out_of_stock').length;
  const other = answers.filter((a) => a.status !== 201 && !(a.status === 409 && a.body?.error?.code === 'out_of_stock'));
  for (const a of other.slice(0, 5)) context.log(`  other answer: ${a.status} ${JSON.stringify(a.body)}`);
  if (sold > FLASH_UNITS) throw new Error(`flash sale oversold: ${sold} units sold of ${FLASH_UNITS}`);
  if (sold !== placed) throw new Error(`flash sale: ${sold} units sold but ${placed} orders answered 201`);
  return rowOf(
    `flash sale: ${FLASH_BUYERS} buyers, ${FLASH_UNITS} units`,
    answers,
    seconds,
    `units sold ${sold} (must be ${FLASH_UNITS}), reserved ${reserved}; ${placed} placed, ${soldOut} out_of_stock, ${other.length} other (${[...new Set(other.map((a) => `${a.status} ${a.body?.error?.code ?? ''}`))].join(', ') || 'none'}); ` +
      `every buyer had a definitive answer after ${seconds.toFixed(2)} s; req/s here is answers per second`,
  );
}

export const scenario: Scenario = {
  id: 'checkout',
  title: 'Checkout',
  description:
    'The buy path end to end over HTTP: shoppers (registered, with an address, a card and a one-item cart, set up beforehand) ' +
    'call `POST /v1/checkout` with a fresh Idempotency-Key. Compare with the single-row conditional UPDATE reference, the ' +
    'statement every sale is decided by.',
  async run(context) {
    const admin = await adminAuth(context);
    const rows = [await uncontended(context, admin), await multiItem(context, admin), await flashSale(context, admin)];
    if (context.conditionalUpdateReference) rows.push(context.conditionalUpdateReference);
    return rows;
  },
};
