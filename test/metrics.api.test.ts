import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ManualClock, type TestApp } from './helpers/app.ts';
import { addToCart, checkout, createBuyer, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';

/** The value of one series of a Prometheus text page (`name{labels} value`), or undefined. */
function sample(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v) && Object.keys(have).length === Object.keys(labels).length) return Number(match[3]);
  }
  return undefined;
}

describe('business metrics on /metrics (the spec\'s observability list)', () => {
  let t: TestApp;
  const clock = new ManualClock();
  const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;

  beforeAll(async () => {
    t = await createTestApp('pglite', FAST_PAYMENTS, { clock });
  });
  afterAll(async () => t?.close());

  it('counts checkout outcomes, first-attempt reservations, orders and their value once per order, and times checkout end to end', async () => {
    const { productIds: [product, scarce] } = await stockedProducts(t.ctx, { products: 2, price: 2500, stock: 5 });
    await t.ctx.services.inventory.setTotalStock(scarce!, (await t.ctx.services.inventory.getStock(scarce!))[0]!.warehouseId, 0);
    const buyer = await createBuyer(t.app);
    await addToCart(t.app, buyer, product!, 2);
    const key = 'metrics-order-0001';
    expect((await checkout(t.app, buyer, key)).statusCode).toBe(201);
    // The same key again: the same answer, a request of its own, but not a second order.
    expect((await checkout(t.app, buyer, key)).statusCode).toBe(201);

    const declined = await createBuyer(t.app, 'tok_decline');
    await addToCart(t.app, declined, product!, 1);
    expect((await checkout(t.app, declined)).statusCode).toBe(402);

    const unlucky = await createBuyer(t.app);
    await addToCart(t.app, unlucky, scarce!, 1);
    expect((await checkout(t.app, unlucky)).statusCode).toBe(409);

    const page = await scrape();
    expect(sample(page, 'bazaar_checkout_total', { outcome: 'placed' })).toBe(2);
    expect(sample(page, 'bazaar_checkout_total', { outcome: 'declined' })).toBe(1);
    expect(sample(page, 'bazaar_checkout_total', { outcome: 'out_of_stock' })).toBe(1);
    expect(sample(page, 'bazaar_checkout_total', { outcome: 'interrupted' })).toBe(0);
    expect(sample(page, 'bazaar_checkout_duration_seconds_count', { outcome: 'placed' })).toBe(2);
    expect(sample(page, 'bazaar_orders_placed_total', { currency: 'USD' })).toBe(1);
    expect(sample(page, 'bazaar_order_value_minor_units_sum', { currency: 'USD' })).toBe(5000);
    expect(sample(page, 'bazaar_order_value_minor_units_count', { currency: 'USD' })).toBe(1);
    // Reservations: the placed order and the declined one reserved on their first attempt, the sold-out one did not.
    expect(sample(page, 'bazaar_inventory_reservations_total', { outcome: 'reserved', attempt: 'first' })).toBe(2);
    expect(sample(page, 'bazaar_inventory_reservations_total', { outcome: 'out_of_stock', attempt: 'first' })).toBe(1);
    expect(sample(page, 'bazaar_inventory_db_duration_seconds_count', { operation: 'reserve' })).toBe(3);
    expect(sample(page, 'bazaar_inventory_db_duration_seconds_count', { operation: 'confirm' })).toBe(1);
  });

  it('shows carts left with items for an hour as abandoned, and counts reservations the sweeper expires', async () => {
    const { productIds: [product] } = await stockedProducts(t.ctx, { stock: 5 });
    const idle = await createBuyer(t.app);
    await addToCart(t.app, idle, product!, 1);
    const before = sample(await scrape(), 'bazaar_carts_idle_with_items') ?? 0;

    // A reservation left behind (a checkout whose process died) and given back by the sweeper after its TTL.
    await t.ctx.services.inventory.reserve({ checkoutId: crypto.randomUUID(), lines: [{ productId: product!, quantity: 1 }], destination: { latitude: 40.7, longitude: -74 }, ttlSeconds: 60 });
    clock.advance(2 * 3600_000);
    expect(await t.ctx.services.inventory.expireDue()).toBe(1);

    // The idle-cart figure is reused for 30 s between scrapes; a fresh context reads it now.
    const fresh = await createTestApp('pglite', FAST_PAYMENTS, { clock });
    try {
      await addToCart(fresh.app, await createBuyer(fresh.app), (await stockedProducts(fresh.ctx, { stock: 1 })).productIds[0]!, 1);
      clock.advance(2 * 3600_000);
      const page = (await fresh.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(sample(page, 'bazaar_carts_idle_with_items')).toBe(1);
    } finally {
      await fresh.close();
    }
    expect(before).toBe(0);
    expect(sample(await scrape(), 'bazaar_inventory_reservations_expired_total')).toBe(1);
  });

  it('reports search latency, cache hit ratio and consumer lag per consumer', async () => {
    await t.app.inject({ method: 'GET', url: '/v1/search?q=anything' });
    await t.app.inject({ method: 'GET', url: '/v1/products?limit=2' });
    const page = await scrape();
    expect(page).toMatch(/^bazaar_search_duration_seconds_count\{[^}]*\} [1-9]/m);
    expect(page).toContain('bazaar_cache_requests_total');
    for (const consumer of t.ctx.events.consumers()) {
      expect(sample(page, 'bazaar_events_consumer_pending', { consumer }), consumer).toBeGreaterThanOrEqual(0);
    }
  });
});
