import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONCURRENT_BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ManualClock } from '../../platform/clock.ts';
import { isAppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema } from '../events/index.ts';
import { InventoryService, inventorySchema } from './index.ts';
import { describeEach, NEEDS_POSTGRES } from '../../../test/helpers/suites.ts';

const TTL_SECONDS = 600;
const NYC = { latitude: 40.75, longitude: -73.99 };

/** The error code of each rejected outcome ('ok' for fulfilled ones). */
function outcomes(settled: PromiseSettledResult<unknown>[]): string[] {
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'ok';
    if (isAppError(s.reason)) return s.reason.code;
    throw s.reason;
  });
}

const count = (codes: string[], code: string) => codes.filter((c) => c === code).length;

// PGlite has one connection and serializes everything: races only exist on a real server.
describeEach(CONCURRENT_BACKENDS, NEEDS_POSTGRES, 'inventory under concurrency (%s, pool of 20)', (backend) => {
  let databases: TestDatabases;
  let clock: ManualClock;
  let inventory: InventoryService;
  let east: string;
  let west: string;

  beforeAll(async () => {
    databases = await createTestDatabases(backend, { poolSize: 20 });
    await migrateToLatest(databases, [eventsSchema, inventorySchema]);
    clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    inventory = new InventoryService(databases.inventory, clock, { lowStockThreshold: 5, reservationTtlSeconds: TTL_SECONDS, singletonLocks: true });
    east = (await inventory.createWarehouse({ code: `C-E-${newId().slice(-6)}`, name: 'east', postalCode: '07094', country: 'US' })).id;
    west = (await inventory.createWarehouse({ code: `C-W-${newId().slice(-6)}`, name: 'west', postalCode: '91761', country: 'US' })).id;
  });
  afterAll(async () => databases?.close());

  /** Invariant 1 on every row, and every row's reserved/sold equal to its held/confirmed reservations. */
  async function assertStockAgreesWithReservations() {
    const rows = await databases.inventory.selectFrom('stock_levels').selectAll().execute();
    const reservations = await databases.inventory.selectFrom('reservations').selectAll().execute();
    for (const row of rows) {
      expect(row.reserved_stock).toBeGreaterThanOrEqual(0);
      expect(row.sold_stock).toBeGreaterThanOrEqual(0);
      expect(row.reserved_stock + row.sold_stock).toBeLessThanOrEqual(row.total_stock);
      const units = (status: string) =>
        reservations.filter((r) => r.product_id === row.product_id && r.warehouse_id === row.warehouse_id && r.status === status).reduce((sum, r) => sum + r.quantity, 0);
      expect({ product: row.product_id, reserved: row.reserved_stock, sold: row.sold_stock }).toEqual({
        product: row.product_id,
        reserved: units('reserved'),
        sold: units('confirmed'),
      });
    }
  }

  /** Units of a checkout's reservations by status and product. */
  async function unitsOf(checkoutId: string, status: string, productId: string) {
    return (await inventory.getReservations(checkoutId)).filter((r) => r.status === status && r.productId === productId).reduce((sum, r) => sum + r.quantity, 0);
  }

  async function sweepEverything() {
    clock.advance(10 * TTL_SECONDS * 1000);
    while ((await inventory.expireDue()) > 0);
  }

  it('200 buyers racing for 5 units: exactly 5 reservations, 195 out_of_stock', async () => {
    const productId = newId();
    await inventory.setTotalStock(productId, east, 5);
    const settled = await Promise.allSettled(
      Array.from({ length: 200 }, () => inventory.reserve({ checkoutId: newId(), lines: [{ productId, quantity: 1 }], destination: NYC })),
    );
    const codes = outcomes(settled);
    expect({ ok: count(codes, 'ok'), outOfStock: count(codes, 'out_of_stock') }).toEqual({ ok: 5, outOfStock: 195 });
    const [row] = await inventory.getStock(productId);
    expect(row).toMatchObject({ totalStock: 5, reservedStock: 5, soldStock: 0, available: 0 });
    await assertStockAgreesWithReservations();
  });

  it('200 buyers racing for 5 units spread over two warehouses: still exactly 5', async () => {
    const productId = newId();
    await inventory.setTotalStock(productId, east, 2);
    await inventory.setTotalStock(productId, west, 3);
    const codes = outcomes(
      await Promise.allSettled(Array.from({ length: 200 }, () => inventory.reserve({ checkoutId: newId(), lines: [{ productId, quantity: 1 }], destination: NYC }))),
    );
    expect({ ok: count(codes, 'ok'), outOfStock: count(codes, 'out_of_stock') }).toEqual({ ok: 5, outOfStock: 195 });
    expect((await inventory.getStock(productId)).map((s) => s.reservedStock).sort()).toEqual([2, 3]);
    await assertStockAgreesWithReservations();
  });

  it('confirm racing the sweeper (and its own retry) moves every unit exactly once', async () => {
    await sweepEverything();
    const [kettle, mug] = [newId(), newId()];
    for (const productId of [kettle, mug]) {
      await inventory.setTotalStock(productId, east, 500);
      await inventory.setTotalStock(productId, west, 500);
    }
    // Half the checkouts are past their TTL when the race starts, half are not.
    const checkouts = Array.from({ length: 40 }, (_, i) => ({ id: newId(), kettle: 1 + (i % 3), mug: 1 + (i % 2), ttlSeconds: i % 2 === 0 ? 60 : TTL_SECONDS }));
    for (const c of checkouts) {
      await inventory.reserve({ checkoutId: c.id, lines: [{ productId: kettle, quantity: c.kettle }, { productId: mug, quantity: c.mug }], destination: NYC, ttlSeconds: c.ttlSeconds });
    }
    clock.advance(120_000);

    const sweeper = async () => {
      for (let i = 0; i < 20; i++) await inventory.expireDue(3);
    };
    const settled = await Promise.allSettled([
      ...checkouts.flatMap((c) => [inventory.confirm(c.id), inventory.confirm(c.id)]),
      sweeper(),
      sweeper(),
      sweeper(),
    ]);
    expect(outcomes(settled).filter((c) => c !== 'ok')).toEqual([]);

    await assertStockAgreesWithReservations();
    for (const c of checkouts) {
      expect([await unitsOf(c.id, 'confirmed', kettle), await unitsOf(c.id, 'confirmed', mug), await unitsOf(c.id, 'reserved', kettle)]).toEqual([c.kettle, c.mug, 0]);
    }
    const sold = (await Promise.all([kettle, mug].map((p) => inventory.getStock(p)))).flat().reduce((sum, s) => sum + s.soldStock, 0);
    expect(sold).toBe(checkouts.reduce((sum, c) => sum + c.kettle + c.mug, 0));
  });

  it('when expired units are contested, each checkout ends fully confirmed or holding nothing, never oversold', async () => {
    await sweepEverything();
    const [kettle, mug] = [newId(), newId()];
    await inventory.setTotalStock(kettle, east, 20);
    await inventory.setTotalStock(mug, east, 20);
    const checkouts = Array.from({ length: 20 }, () => newId());
    for (const id of checkouts) {
      await inventory.reserve({ checkoutId: id, lines: [{ productId: kettle, quantity: 1 }, { productId: mug, quantity: 1 }], destination: NYC, ttlSeconds: 60 });
    }
    clock.advance(120_000);

    // Half the reservations are already expired when the race starts; the sweepers take the rest.
    expect(await inventory.expireDue(checkouts.length)).toBe(checkouts.length);
    // Rivals want only kettles: a checkout whose kettle expired may find none left, while its mug is still there.
    const rivals = Array.from({ length: 20 }, () => newId());
    const sweeper = async () => {
      for (let i = 0; i < 10; i++) await inventory.expireDue(3);
    };
    const settled = await Promise.allSettled([
      ...checkouts.map((id) => inventory.confirm(id)),
      ...rivals.map((id) => inventory.reserve({ checkoutId: id, lines: [{ productId: kettle, quantity: 1 }], destination: NYC })),
      sweeper(),
      sweeper(),
    ]);
    const codes = outcomes(settled);
    const confirms = codes.slice(0, checkouts.length);
    const reserves = codes.slice(checkouts.length, checkouts.length + rivals.length);
    expect(confirms.filter((c) => c !== 'ok' && c !== 'reservation_lost')).toEqual([]);
    expect(reserves.filter((c) => c !== 'ok' && c !== 'out_of_stock')).toEqual([]);

    await assertStockAgreesWithReservations();
    for (const [i, id] of checkouts.entries()) {
      const expected = confirms[i] === 'ok' ? 1 : 0;
      expect([await unitsOf(id, 'confirmed', kettle), await unitsOf(id, 'confirmed', mug), await unitsOf(id, 'reserved', mug)]).toEqual([expected, expected, 0]);
    }
    const [kettles] = await inventory.getStock(kettle);
    expect(kettles).toMatchObject({ soldStock: count(confirms, 'ok'), reservedStock: count(reserves, 'ok') });
    const [mugs] = await inventory.getStock(mug);
    expect(mugs).toMatchObject({ soldStock: count(confirms, 'ok'), reservedStock: 0 });
  });
});
