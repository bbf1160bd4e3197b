import { sql, type Kysely } from 'kysely';

/** Carriers and their transit-time tables by distance band, in business days. */
export const SEED_CARRIERS = [
  {
    id: 'parcelway-ground',
    name: 'Parcelway Ground',
    bands: [
      [0, 250, 1],
      [250, 800, 2],
      [800, 1600, 3],
      [1600, 3200, 4],
      [3200, 20000, 5],
    ],
  },
  {
    id: 'swiftship-express',
    name: 'SwiftShip Express',
    bands: [
      [0, 800, 1],
      [800, 3200, 2],
      [3200, 20000, 3],
    ],
  },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('carriers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_default', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();
  await db.schema
    .createTable('carrier_transit_times')
    .addColumn('carrier_id', 'text', (c) => c.notNull().references('carriers.id').onDelete('cascade'))
    .addColumn('min_km', 'integer', (c) => c.notNull().check(sql`min_km >= 0`))
    .addColumn('max_km', 'integer', (c) => c.notNull())
    .addColumn('business_days', 'integer', (c) => c.notNull().check(sql`business_days > 0`))
    .addPrimaryKeyConstraint('carrier_transit_times_pk', ['carrier_id', 'min_km'])
    .addCheckConstraint('carrier_transit_band', sql`max_km > min_km`)
    .execute();
  for (const [i, carrier] of SEED_CARRIERS.entries()) {
    await db.insertInto('carriers').values({ id: carrier.id, name: carrier.name, is_default: i === 0 }).execute();
    await db
      .insertInto('carrier_transit_times')
      .values(carrier.bands.map(([min, max, days]) => ({ carrier_id: carrier.id, min_km: min, max_km: max, business_days: days })))
      .execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('carrier_transit_times').execute();
  await db.schema.dropTable('carriers').execute();
}
