import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ManualClock } from '../../platform/clock.ts';
import { isAppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema } from '../events/index.ts';
import { InventoryService, inventorySchema } from './index.ts';

const TTL_SECONDS = 600;
const PRODUCTS = 3;
const CHECKOUTS = 4;
const WAREHOUSE_ZIPS = ['07094', '60601', '91761'];
/** New York, Chicago, Los Angeles: each makes a different warehouse the nearest. */
const DESTINATIONS = [
  { latitude: 40.75, longitude: -73.99 },
  { latitude: 41.88, longitude: -87.62 },
  { latitude: 34.05, longitude: -118.24 },
];

type Command =
  | { kind: 'reserve'; checkout: number; destination: number }
  | { kind: 'confirm' | 'release' | 'returnToStock'; checkout: number }
  | { kind: 'expire'; seconds: number; limit: number }
  | { kind: 'restock'; product: number; warehouse: number; total: number };

const checkout = fc.integer({ min: 0, max: CHECKOUTS - 1 });
/** Each checkout's cart, fixed for the run as a checkout's lines are: every retry of reserve asks for the same. */
const carts = fc.array(fc.array(fc.record({ product: fc.integer({ min: 0, max: PRODUCTS - 1 }), quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 3 }), {
  minLength: CHECKOUTS,
  maxLength: CHECKOUTS,
});
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('reserve' as const), checkout, destination: fc.integer({ min: 0, max: DESTINATIONS.length - 1 }) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('confirm' as const), checkout }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), checkout }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('returnToStock' as const), checkout }), weight: 1 },
  // A small limit makes the sweeper stop part-way through a checkout's reservations, as a busy one does.
  { arbitrary: fc.record({ kind: fc.constant('expire' as const), seconds: fc.integer({ min: TTL_SECONDS + 1, max: 2 * TTL_SECONDS }), limit: fc.constantFrom(1, 2, 500) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('restock' as const),
      product: fc.integer({ min: 0, max: PRODUCTS - 1 }),
      warehouse: fc.integer({ min: 0, max: WAREHOUSE_ZIPS.length - 1 }),
      total: fc.integer({ min: 0, max: 8 }),
    }),
    weight: 2,
  },
);
/** Initial units per (product, warehouse); null = no stock row at all. */
const initialStock = fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), { minLength: PRODUCTS * WAREHOUSE_ZIPS.length, maxLength: PRODUCTS * WAREHOUSE_ZIPS.length });

/** The refusals each command may legitimately end in; anything else fails the property. */
const EXPECTED_REFUSALS: Record<Command['kind'], string[]> = {
  reserve: ['out_of_stock'],
  confirm: ['reservation_lost'],
  release: [],
  returnToStock: [],
  expire: [],
  restock: ['stock_below_committed'],
};

describe.each(BACKENDS)('inventory invariants under random command sequences (%s)', (backend) => {
  let databases: TestDatabases;
  let clock: ManualClock;
  let inventory: InventoryService;
  let warehouseIds: string[];

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, inventorySchema]);
    clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    inventory = new InventoryService(databases.inventory, clock, { lowStockThreshold: 5, reservationTtlSeconds: TTL_SECONDS, singletonLocks: false });
    warehouseIds = [];
    for (const zip of WAREHOUSE_ZIPS) warehouseIds.push((await inventory.createWarehouse({ code: `P-${zip}-${newId().slice(-6)}`, name: zip, postalCode: zip, country: 'US' })).id);
  });
  afterAll(async () => databases?.close());

  /**
   * Invariant 1 on every row of this run, and each row's reserved/sold equal to the units
   * of its held/confirmed reservations. Also: no checkout ever holds or buys more of a
   * product than its cart asks for (a retried reserve or confirm never doubles a line).
   */
  async function assertInvariants(productIds: string[], checkoutIds: string[], requested: Map<string, Map<string, number>>) {
    const rows = await databases.inventory.selectFrom('stock_levels').selectAll().where('product_id', 'in', productIds).execute();
    const reservations = await databases.inventory.selectFrom('reservations').selectAll().where('product_id', 'in', productIds).execute();
    for (const row of rows) {
      expect(row.reserved_stock, JSON.stringify(row)).toBeGreaterThanOrEqual(0);
      expect(row.sold_stock, JSON.stringify(row)).toBeGreaterThanOrEqual(0);
      expect(row.reserved_stock + row.sold_stock, JSON.stringify(row)).toBeLessThanOrEqual(row.total_stock);
      const units = (status: string) =>
        reservations.filter((r) => r.product_id === row.product_id && r.warehouse_id === row.warehouse_id && r.status === status).reduce((sum, r) => sum + r.quantity, 0);
      expect({ reserved: row.reserved_stock, sold: row.sold_stock }).toEqual({ reserved: units('reserved'), sold: units('confirmed') });
    }
    for (const checkoutId of checkoutIds) {
      for (const productId of productIds) {
        const live = reservations
          .filter((r) => r.checkout_id === checkoutId && r.product_id === productId && (r.status === 'reserved' || r.status === 'confirmed'))
          .reduce((sum, r) => sum + r.quantity, 0);
        expect(live, `checkout ${checkoutId} holds more of ${productId} than it asked for`).toBeLessThanOrEqual(requested.get(checkoutId)?.get(productId) ?? 0);
      }
    }
  }

  async function run(initial: (number | null)[], cartLines: { product: number; quantity: number }[][], commands: Command[]) {
    // Each run starts with nothing due from earlier runs, so the sweeper's batches are this run's alone.
    clock.advance(10 * TTL_SECONDS * 1000);
    while ((await inventory.expireDue()) > 0);
    const productIds = Array.from({ length: PRODUCTS }, () => newId());
    const checkoutIds = Array.from({ length: CHECKOUTS }, () => newId());
    const lines = cartLines.map((cart) => cart.map((l) => ({ productId: productIds[l.product]!, quantity: l.quantity })));
    const requested = new Map<string, Map<string, number>>();
    for (const [i, cart] of lines.entries()) {
      const wanted = new Map<string, number>();
      for (const l of cart) wanted.set(l.productId, (wanted.get(l.productId) ?? 0) + l.quantity);
      requested.set(checkoutIds[i]!, wanted);
    }
    for (const [i, total] of initial.entries()) {
      if (total !== null) await inventory.setTotalStock(productIds[i % PRODUCTS]!, warehouseIds[Math.floor(i / PRODUCTS)]!, total);
    }
    await assertInvariants(productIds, checkoutIds, requested);

    for (const c of commands) {
      try {
        await apply(c, productIds, checkoutIds, lines);
      } catch (error) {
        if (!isAppError(error) || !EXPECTED_REFUSALS[c.kind].includes(error.code)) throw error;
        // A checkout that cannot complete gets no order: it must keep neither held nor sold units.
        if (c.kind === 'confirm' || c.kind === 'reserve') {
          const live = (await inventory.getReservations(checkoutIds[c.checkout]!)).filter((r) => r.status === 'reserved' || r.status === 'confirmed');
          expect(live, `${c.kind} refused with ${error.code} but the checkout still holds units`).toEqual([]);
        }
      }
      await assertInvariants(productIds, checkoutIds, requested);
    }
  }

  async function apply(c: Command, productIds: string[], checkoutIds: string[], lines: { productId: string; quantity: number }[][]) {
    switch (c.kind) {
      case 'reserve':
        await inventory.reserve({ checkoutId: checkoutIds[c.checkout]!, lines: lines[c.checkout]!, destination: DESTINATIONS[c.destination]!, ttlSeconds: TTL_SECONDS });
        return;
      case 'confirm':
        await inventory.confirm(checkoutIds[c.checkout]!);
        return;
      case 'release':
        await inventory.release(checkoutIds[c.checkout]!);
        return;
      case 'returnToStock':
        await inventory.returnToStock(checkoutIds[c.checkout]!);
        return;
      case 'expire':
        clock.advance(c.seconds * 1000);
        await inventory.expireDue(c.limit);
        return;
      case 'restock':
        await inventory.setTotalStock(productIds[c.product]!, warehouseIds[c.warehouse]!, c.total);
        return;
    }
  }

  it('keeps 0 ≤ reserved, 0 ≤ sold, reserved + sold ≤ total and agrees with the reservations after every step', async () => {
    await fc.assert(
      fc.asyncProperty(initialStock, carts, fc.array(command, { minLength: 5, maxLength: 30, size: 'max' }), (initial, cartLines, commands) => run(initial, cartLines, commands)),
      { numRuns: backend === 'pglite' ? 30 : 15 },
    );
  }, 300_000);
});
