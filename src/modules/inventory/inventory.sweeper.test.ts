import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestDatabases, type TestDatabases } from '../../../test/helpers/databases.ts';
import { ManualClock } from '../../platform/clock.ts';
import { newId } from '../../platform/ids.ts';
import { lockKeyFor } from '../../platform/jobs.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema } from '../events/index.ts';
import { InventoryService, inventorySchema } from './index.ts';

const NYC = { latitude: 40.75, longitude: -73.99 };

describe.each(BACKENDS)('reservation sweeper job (%s)', (backend) => {
  let databases: TestDatabases;
  let clock: ManualClock;
  let inventory: InventoryService;
  let warehouseId: string;
  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, inventorySchema]);
    clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
    inventory = new InventoryService(databases.inventory, clock, { lowStockThreshold: 5, reservationTtlSeconds: 600, singletonLocks: false });
    warehouseId = (await inventory.createWarehouse({ code: `SW-${newId().slice(-8)}`, name: 'Secaucus', postalCode: '07094', country: 'US' })).id;
  });
  afterAll(async () => databases?.close());

  it('is named for the worker and guarded by an advisory lock only when singleton locks are on', () => {
    const job = inventory.reservationSweeper(60_000);
    expect(job).toMatchObject({ name: 'inventory.reservation-sweeper', intervalMs: 60_000 });
    expect(job.singleton).toBeUndefined();
    const locked = new InventoryService(databases.inventory, clock, { lowStockThreshold: 5, reservationTtlSeconds: 600, singletonLocks: true });
    expect(locked.reservationSweeper(1000).singleton).toEqual({ db: databases.inventory, lockKey: lockKeyFor('inventory.reservation-sweeper') });
    const elsewhere = databases.main;
    expect(locked.reservationSweeper(1000, elsewhere).singleton?.db).toBe(elsewhere);
  });

  it('one run expires everything due, beyond a single batch, and nothing that is not', async () => {
    // More due reservations than one sweep batch (500), written in bulk to keep the test fast.
    const productId = newId();
    const due = 620;
    await inventory.setTotalStock(productId, warehouseId, due + 1);
    await databases.inventory.updateTable('stock_levels').set({ reserved_stock: due }).where('product_id', '=', productId).execute();
    const now = clock.now();
    const rows = Array.from({ length: due }, () => ({
      id: newId(),
      checkout_id: newId(),
      product_id: productId,
      warehouse_id: warehouseId,
      quantity: 1,
      status: 'reserved',
      destination_latitude: NYC.latitude,
      destination_longitude: NYC.longitude,
      expires_at: new Date(now.getTime() + 60_000),
      created_at: now,
      updated_at: now,
    }));
    await databases.inventory.insertInto('reservations').values(rows).execute();
    const fresh = newId();
    clock.advance(61_000);
    await inventory.reserve({ checkoutId: fresh, lines: [{ productId, quantity: 1 }], destination: NYC });

    await inventory.reservationSweeper(60_000).run();

    const [stock] = await inventory.getStock(productId);
    expect(stock).toMatchObject({ reservedStock: 1, soldStock: 0, available: due });
    const left = await databases.inventory.selectFrom('reservations').select('checkout_id').where('product_id', '=', productId).where('status', '=', 'reserved').execute();
    expect(left.map((r) => r.checkout_id)).toEqual([fresh]);
    expect(await inventory.expireDue()).toBe(0);
  });
});
