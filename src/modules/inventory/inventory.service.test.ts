import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ManualClock } from '../../platform/clock.ts';
import { refusal } from '../../../test/helpers/refusal.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema } from '../events/index.ts';
import { InventoryService, inventorySchema, type Warehouse } from './index.ts';

const TTL_SECONDS = 600;
const LOW_STOCK = 5;
/** Destination: Manhattan (10001). Warehouses by distance: east 7 km, mid 135 km, chicago 1,140 km, west 3,900 km. */
const NYC = { latitude: 40.7506, longitude: -73.9972 };
const ZIPS = { east: '07094', mid: '19104', chicago: '60601', west: '91761' } as const;
type Site = keyof typeof ZIPS;

describe.each(BACKENDS)('InventoryService (%s)', (backend) => {
  let databases: TestDatabases;
  let clock: ManualClock;
  let inventory: InventoryService;
  const sites = {} as Record<Site, Warehouse>;
  const siteOf = (warehouseId: string) => (Object.keys(sites) as Site[]).find((s) => sites[s].id === warehouseId)!;
  const placementSites = (held: { warehouseId: string }[]) => held.map((r) => siteOf(r.warehouseId));

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, inventorySchema]);
    clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    inventory = new InventoryService(databases.inventory, clock, { lowStockThreshold: LOW_STOCK, reservationTtlSeconds: TTL_SECONDS, singletonLocks: false });
    for (const site of Object.keys(ZIPS) as Site[]) {
      sites[site] = await inventory.createWarehouse({ code: `${site}-${newId().slice(-6)}`, name: site, postalCode: ZIPS[site], country: 'us' });
    }
  });
  afterAll(async () => databases?.close());

  /** A fresh product with the given units per site. */
  async function product(units: Partial<Record<Site, number>>): Promise<string> {
    const id = newId();
    for (const [site, total] of Object.entries(units)) await inventory.setTotalStock(id, sites[site as Site].id, total);
    return id;
  }

  /** The stored truth per site as [total, reserved, sold]. */
  async function levels(productId: string): Promise<Partial<Record<Site, [number, number, number]>>> {
    const rows = await databases.inventory.selectFrom('stock_levels').selectAll().where('product_id', '=', productId).execute();
    return Object.fromEntries(rows.map((r) => [siteOf(r.warehouse_id), [r.total_stock, r.reserved_stock, r.sold_stock]]));
  }

  async function reservationRows(checkoutId: string) {
    const rows = await databases.inventory.selectFrom('reservations').selectAll().where('checkout_id', '=', checkoutId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id as string, productId: r.product_id as string, site: siteOf(r.warehouse_id), quantity: r.quantity as number, status: r.status as string, replacedBy: r.replaced_by as string | null }));
  }

  /** The sweeper is global: start TTL tests with nothing left due from earlier tests. */
  async function sweepEverything() {
    clock.advance(86_400_000);
    while ((await inventory.expireDue()) > 0);
  }

  const reserve = (checkoutId: string, lines: [string, number][], ttlSeconds?: number) =>
    inventory.reserve({ checkoutId, lines: lines.map(([productId, quantity]) => ({ productId, quantity })), destination: NYC, ...(ttlSeconds ? { ttlSeconds } : {}) });

  describe('CHECK constraints', () => {
    it.each([
      ['reserved < 0', sql`reserved_stock = -1`],
      ['sold < 0', sql`sold_stock = -1`],
      ['reserved + sold > total', sql`reserved_stock = 3, sold_stock = 3`],
      ['total below reserved + sold', sql`total_stock = 2`],
      ['total < 0', sql`total_stock = -1`],
    ])('refuses %s with 23514 and leaves the row as it was', async (_name, assignment) => {
      const id = await product({ east: 5 });
      await reserve(newId(), [[id, 2]]);
      const sold = newId();
      await reserve(sold, [[id, 1]]);
      await inventory.confirm(sold);
      const before = await levels(id);
      expect(before).toEqual({ east: [5, 2, 1] });

      const failure = await sql`update stock_levels set ${assignment} where product_id = ${id}`.execute(databases.inventory).then(
        () => undefined,
        (error: { code?: string }) => error,
      );
      expect(failure?.code).toBe('23514');
      expect(await levels(id)).toEqual(before);
    });
  });

  describe('reserve, confirm, release, returnToStock', () => {
    it('moves units reserved → sold → back to stock, and repeating any step changes nothing', async () => {
      const id = await product({ east: 10 });
      const checkout = newId();
      const [held, ...more] = await reserve(checkout, [[id, 3]]);
      expect(more).toEqual([]);
      expect(held).toMatchObject({ checkoutId: checkout, productId: id, warehouseId: sites.east.id, quantity: 3, status: 'reserved' });
      expect(held!.expiresAt.getTime()).toBe(clock.now().getTime() + TTL_SECONDS * 1000);
      expect(await levels(id)).toEqual({ east: [10, 3, 0] });

      expect((await reserve(checkout, [[id, 3]])).map((r) => r.id)).toEqual([held!.id]);
      expect(await levels(id)).toEqual({ east: [10, 3, 0] });

      for (let i = 0; i < 2; i++) {
        const confirmed = await inventory.confirm(checkout);
        expect(confirmed.map((r) => [r.id, r.status])).toEqual([[held!.id, 'confirmed']]);
        expect(await levels(id)).toEqual({ east: [10, 0, 3] });
      }
      // Release gives back only held units: sold ones stay sold.
      await inventory.release(checkout);
      expect(await levels(id)).toEqual({ east: [10, 0, 3] });

      for (let i = 0; i < 2; i++) {
        await inventory.returnToStock(checkout);
        expect(await levels(id)).toEqual({ east: [10, 0, 0] });
      }
      expect((await reservationRows(checkout)).map((r) => r.status)).toEqual(['released']);
      // A returned checkout is not confirmed again: released reservations are never revived.
      expect((await refusal(inventory.confirm(checkout))).code).toBe('reservation_lost');
      expect(await levels(id)).toEqual({ east: [10, 0, 0] });
    });

    it('releases held units once, and a released checkout can neither be confirmed nor returned', async () => {
      const id = await product({ east: 4 });
      const checkout = newId();
      await reserve(checkout, [[id, 4]]);
      for (let i = 0; i < 2; i++) {
        await inventory.release(checkout);
        expect(await levels(id)).toEqual({ east: [4, 0, 0] });
      }
      expect((await refusal(inventory.confirm(checkout))).code).toBe('reservation_lost');
      await inventory.returnToStock(checkout);
      expect(await levels(id)).toEqual({ east: [4, 0, 0] });
      expect((await reservationRows(checkout)).map((r) => r.status)).toEqual(['released']);
    });

    it.each([
      ['the short line comes last', false],
      ['the short line comes first', true],
    ])('holds nothing when one line cannot be satisfied (%s)', async (_name, shortFirst) => {
      const plenty = await product({ east: 5 });
      const scarce = await product({ east: 1, west: 1 });
      const checkout = newId();
      const lines: [string, number][] = [
        [plenty, 3],
        [scarce, 3],
      ];
      const error = await refusal(reserve(checkout, shortFirst ? lines.reverse() : lines));
      expect(error.code).toBe('out_of_stock');
      expect(error.kind).toBe('conflict');
      expect(error.details).toEqual({ product_ids: [scarce] });
      expect(await levels(plenty)).toEqual({ east: [5, 0, 0] });
      expect(await levels(scarce)).toEqual({ east: [1, 0, 0], west: [1, 0, 0] });
      expect((await reservationRows(checkout)).filter((r) => r.status !== 'released')).toEqual([]);
    });

    it('names every short product and refuses non-positive quantities before touching stock', async () => {
      const a = await product({ east: 1 });
      const b = await product({});
      const error = await refusal(reserve(newId(), [[a, 2], [b, 1]]));
      expect(error.details).toEqual({ product_ids: [a, b] });
      for (const quantity of [0, -1, 1.5]) expect((await refusal(reserve(newId(), [[a, 1], [b, quantity]]))).code).toBe('invalid_quantity');
      expect(await levels(a)).toEqual({ east: [1, 0, 0] });
    });

    it('adds up repeated lines of one product', async () => {
      const id = await product({ east: 5 });
      const held = await reserve(newId(), [[id, 2], [id, 3]]);
      expect(held.map((r) => r.quantity)).toEqual([5]);
      expect(await levels(id)).toEqual({ east: [5, 5, 0] });
    });
  });

  describe('warehouse choice', () => {
    const placement = (held: { productId: string; warehouseId: string; quantity: number }[]) =>
      held.map((r) => [r.productId, siteOf(r.warehouseId), r.quantity]);

    it('prefers the nearest warehouse that can ship the whole order over a nearer one for a single line', async () => {
      const kettle = await product({ east: 10, mid: 10, west: 10 });
      const mug = await product({ mid: 10, west: 10 });
      const held = await reserve(newId(), [[kettle, 2], [mug, 1]]);
      expect(placement(held)).toEqual([
        [kettle, 'mid', 2],
        [mug, 'mid', 1],
      ]);
    });

    it('takes each line from its nearest warehouse when none can ship everything', async () => {
      const kettle = await product({ east: 10, west: 10 });
      const mug = await product({ chicago: 10, west: 1 });
      const held = await reserve(newId(), [[kettle, 2], [mug, 2]]);
      expect(placement(held)).toEqual([
        [kettle, 'east', 2],
        [mug, 'chicago', 2],
      ]);
    });

    it('splits a line across warehouses, nearest first, when no single one has enough', async () => {
      const id = await product({ west: 4, mid: 3, east: 2, chicago: 0 });
      const held = await reserve(newId(), [[id, 6]]);
      expect(placement(held)).toEqual([
        [id, 'east', 2],
        [id, 'mid', 3],
        [id, 'west', 1],
      ]);
      expect(await levels(id)).toEqual({ east: [2, 2, 0], mid: [3, 3, 0], chicago: [0, 0, 0], west: [4, 1, 0] });
    });
  });

  describe('reservation TTL', () => {
    beforeEach(sweepEverything);

    it('expires held units only after the TTL, once', async () => {
      const id = await product({ east: 5 });
      const checkout = newId();
      await reserve(checkout, [[id, 2]]);
      await reserve(newId(), [[id, 1]], 3 * TTL_SECONDS);
      clock.advance(TTL_SECONDS * 1000);
      expect(await inventory.expireDue()).toBe(0);
      clock.advance(1000);
      expect(await inventory.expireDue()).toBe(1);
      expect(await inventory.expireDue()).toBe(0);
      expect(await levels(id)).toEqual({ east: [5, 1, 0] });
      expect((await reservationRows(checkout)).map((r) => r.status)).toEqual(['expired']);
      // Expired units are not released or returned a second time.
      await inventory.release(checkout);
      await inventory.returnToStock(checkout);
      expect(await levels(id)).toEqual({ east: [5, 1, 0] });
    });

    it('re-reserves expired units on confirm, from another warehouse if need be', async () => {
      const id = await product({ east: 2, west: 5 });
      const checkout = newId();
      const [first] = await reserve(checkout, [[id, 2]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      await inventory.expireDue();
      await reserve(newId(), [[id, 2]]);
      expect(await levels(id)).toEqual({ east: [2, 2, 0], west: [5, 0, 0] });

      const confirmed = await inventory.confirm(checkout);
      expect(confirmed.map((r) => [siteOf(r.warehouseId), r.quantity, r.status])).toEqual([['west', 2, 'confirmed']]);
      expect(await levels(id)).toEqual({ east: [2, 2, 0], west: [5, 0, 2] });
      expect((await reservationRows(checkout)).map((r) => [r.id, r.status, r.replacedBy])).toEqual([
        [first!.id, 'expired', confirmed[0]!.id],
        [confirmed[0]!.id, 'confirmed', null],
      ]);
      expect((await inventory.confirm(checkout)).map((r) => r.id)).toEqual([confirmed[0]!.id]);
      expect(await levels(id)).toEqual({ east: [2, 2, 0], west: [5, 0, 2] });
    });

    it('throws reservation_lost and holds nothing new when the expired units are gone', async () => {
      const id = await product({ east: 3 });
      const checkout = newId();
      await reserve(checkout, [[id, 2]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      await inventory.expireDue();
      await reserve(newId(), [[id, 2]]);
      const error = await refusal(inventory.confirm(checkout));
      expect(error.code).toBe('reservation_lost');
      expect(error.details).toEqual({ product_ids: [id] });
      expect(await levels(id)).toEqual({ east: [3, 2, 0] });
      expect((await reservationRows(checkout)).filter((r) => r.status === 'reserved' || r.status === 'confirmed')).toEqual([]);
    });

    it('sells nothing when only part of a checkout expired and that part is gone', async () => {
      const kettle = await product({ east: 1 });
      const mug = await product({ east: 1 });
      const checkout = newId();
      await reserve(checkout, [[kettle, 1], [mug, 1]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      // A sweep that stops after one reservation (its batch limit) leaves the other one held.
      expect(await inventory.expireDue(1)).toBe(1);
      const [expired] = (await reservationRows(checkout)).filter((r) => r.status === 'expired');
      await reserve(newId(), [[expired!.productId, 1]]);

      expect((await refusal(inventory.confirm(checkout))).code).toBe('reservation_lost');
      const sold = (await reservationRows(checkout)).filter((r) => r.status === 'confirmed');
      expect(sold).toEqual([]);
      // The saga's compensation then gives back whatever is still held.
      await inventory.release(checkout);
      const stillHeld = expired!.productId === kettle ? mug : kettle;
      expect(await levels(stillHeld)).toEqual({ east: [1, 0, 0] });
    });

    it('never revives a checkout that was released after part of it expired', async () => {
      const kettle = await product({ east: 5 });
      const mug = await product({ east: 5 });
      const checkout = newId();
      await reserve(checkout, [[kettle, 1], [mug, 1]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      expect(await inventory.expireDue(1)).toBe(1);
      await inventory.release(checkout);

      expect((await refusal(inventory.confirm(checkout))).code).toBe('reservation_lost');
      expect((await reservationRows(checkout)).filter((r) => r.status === 'reserved' || r.status === 'confirmed')).toEqual([]);
      expect([await levels(kettle), await levels(mug)]).toEqual([{ east: [5, 0, 0] }, { east: [5, 0, 0] }]);
    });

    it('tops up only the lapsed part when a checkout retries reserve after part of it expired', async () => {
      const kettle = await product({ east: 5 });
      const mug = await product({ east: 5 });
      const checkout = newId();
      await reserve(checkout, [[kettle, 2], [mug, 1]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      expect(await inventory.expireDue(1)).toBe(1);
      const again = await reserve(checkout, [[kettle, 2], [mug, 1]]);
      expect(again.map((r) => [r.productId, r.quantity]).sort()).toEqual([[kettle, 2], [mug, 1]].sort());
      expect([await levels(kettle), await levels(mug)]).toEqual([{ east: [5, 2, 0] }, { east: [5, 1, 0] }]);
    });

    it('holds the lines once when the checkout retries reserve after its reservations lapsed', async () => {
      const id = await product({ east: 10 });
      const checkout = newId();
      await reserve(checkout, [[id, 3]]);
      clock.advance((TTL_SECONDS + 1) * 1000);
      await inventory.expireDue();
      const again = await reserve(checkout, [[id, 3]]);
      expect(again.map((r) => [r.status, r.quantity])).toEqual([['reserved', 3]]);
      expect(await levels(id)).toEqual({ east: [10, 3, 0] });
      const confirmed = await inventory.confirm(checkout);
      expect(confirmed.map((r) => r.id)).toEqual(again.map((r) => r.id));
      expect(await levels(id)).toEqual({ east: [10, 0, 3] });
      expect((await reserve(checkout, [[id, 3]])).map((r) => r.id)).toEqual(again.map((r) => r.id));
      expect(await levels(id)).toEqual({ east: [10, 0, 3] });
    });
  });

  describe('setTotalStock', () => {
    const outboxOf = (productId: string) =>
      databases.inventory.selectFrom('outbox').select(['type', 'payload']).where('aggregate_id', '=', productId).orderBy('seq').execute();

    it('refuses to drop below reserved + sold (409 stock_below_committed) and announces each change', async () => {
      const id = await product({ east: 10 });
      await reserve(newId(), [[id, 3]]);
      const buyer = newId();
      await reserve(buyer, [[id, 2]]);
      await inventory.confirm(buyer);

      const error = await refusal(inventory.setTotalStock(id, sites.east.id, 4));
      expect([error.code, error.kind, error.details]).toEqual(['stock_below_committed', 'conflict', { reserved: 3, sold: 2 }]);
      expect(await levels(id)).toEqual({ east: [10, 3, 2] });

      const level = await inventory.setTotalStock(id, sites.east.id, 5);
      expect(level).toMatchObject({ productId: id, warehouseId: sites.east.id, totalStock: 5, reservedStock: 3, soldStock: 2, available: 0 });
      await inventory.setTotalStock(id, sites.west.id, 7);
      expect(await outboxOf(id)).toEqual([
        { type: 'inventory.stock.changed', payload: { product_id: id, available: 10 } },
        { type: 'inventory.stock.changed', payload: { product_id: id, available: 0 } },
        { type: 'inventory.stock.changed', payload: { product_id: id, available: 7 } },
      ]);
    });

    it('refuses a negative or fractional total and an unknown warehouse, writing nothing', async () => {
      const id = await product({ east: 1 });
      for (const total of [-1, 1.5, Number.NaN]) expect((await refusal(inventory.setTotalStock(id, sites.east.id, total))).code).toBe('invalid_stock');
      expect((await refusal(inventory.setTotalStock(id, newId(), 3))).code).toBe('warehouse_not_found');
      expect(await levels(id)).toEqual({ east: [1, 0, 0] });
      expect(await outboxOf(id)).toHaveLength(1);
    });
  });

  describe('getAvailability', () => {
    it(`reports in_stock above ${LOW_STOCK} sellable units, low_stock at or below, out_of_stock at 0 or unknown`, async () => {
      const id = await product({ east: 4, west: 2 });
      const unknown = newId();
      const status = async () => Object.fromEntries([...(await inventory.getAvailability([id, unknown]))].map(([k, v]) => [k === id ? 'it' : 'unknown', v]));
      expect(await status()).toEqual({ it: { status: 'in_stock', available: 6 }, unknown: { status: 'out_of_stock', available: 0 } });
      await reserve(newId(), [[id, 1]]);
      expect((await status()).it).toEqual({ status: 'low_stock', available: LOW_STOCK });
      await reserve(newId(), [[id, 4]]);
      expect((await status()).it).toEqual({ status: 'low_stock', available: 1 });
      await reserve(newId(), [[id, 1]]);
      expect((await status()).it).toEqual({ status: 'out_of_stock', available: 0 });
    });

    it('ignores stock in inactive warehouses', async () => {
      const closed = await inventory.createWarehouse({ code: `closed-${newId().slice(-6)}`, name: 'closed', postalCode: '07094', country: 'US' });
      const id = await product({ west: 1 });
      await inventory.setTotalStock(id, closed.id, 50);
      await databases.inventory.updateTable('warehouses').set({ active: false }).where('id', '=', closed.id).execute();
      expect(await inventory.getAvailability([id])).toEqual(new Map([[id, { status: 'low_stock', available: 1 }]]));
      expect(placementSites(await reserve(newId(), [[id, 1]]))).toEqual(['west']);
      expect((await refusal(reserve(newId(), [[id, 1]]))).code).toBe('out_of_stock');
    });
  });
});
