import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import { toProduct } from './catalog.repository.ts';
import type { CatalogTables, ProductFamiliesTable } from './catalog.tables.ts';
import type { FamilyPatch, Product, ProductFamily } from './catalog.types.ts';

type Db = Executor<CatalogTables>;

export const toFamily = (row: Selectable<ProductFamiliesTable>): ProductFamily => ({
  id: row.id,
  sellerId: row.seller_id,
  title: row.title,
  description: row.description,
  brand: row.brand,
  categoryId: row.category_id,
  images: row.images,
  axes: row.axes,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export type FamilyRow = Insertable<ProductFamiliesTable>;
export type FamilyChanges = Partial<Omit<FamilyRow, 'id' | 'seller_id' | 'created_at'>>;

/** Column values for the fields a (validated) patch sets. */
export function familyColumns(patch: FamilyPatch): FamilyChanges {
  const changes: FamilyChanges = {};
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.brand !== undefined) changes.brand = patch.brand;
  if (patch.categoryId !== undefined) changes.category_id = patch.categoryId;
  if (patch.images !== undefined) changes.images = JSON.stringify(patch.images);
  if (patch.axes !== undefined) changes.axes = JSON.stringify(patch.axes);
  if (patch.status !== undefined) changes.status = patch.status;
  return changes;
}

export async function insertFamily(db: Db, row: FamilyRow): Promise<ProductFamily> {
  return toFamily(await db.insertInto('product_families').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function findFamily(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<ProductFamily | undefined> {
  let query = db.selectFrom('product_families').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toFamily(row) : undefined;
}

export async function findFamilies(db: Db, ids: string[]): Promise<ProductFamily[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom('product_families').selectAll().where('id', 'in', ids).execute()).map(toFamily);
}

export async function updateFamily(db: Db, id: string, changes: FamilyChanges): Promise<ProductFamily | undefined> {
  const row = await db.updateTable('product_families').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toFamily(row) : undefined;
}

/** Families newest first (uuidv7 ids are time-ordered), strictly older than `beforeId`, optionally of one seller. */
export async function listFamilies(db: Db, filter: { sellerId?: string; beforeId?: string; limit: number }): Promise<ProductFamily[]> {
  let query = db.selectFrom('product_families').selectAll();
  if (filter.sellerId !== undefined) query = query.where('seller_id', '=', filter.sellerId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return (await query.orderBy('id', 'desc').limit(filter.limit).execute()).map(toFamily);
}

/** The children of a family in any status, oldest first (the order they were added in). */
export async function variantsOf(db: Db, familyId: string): Promise<Product[]> {
  return (await db.selectFrom('products').selectAll().where('family_id', '=', familyId).orderBy('id').execute()).map(toProduct);
}

export const bulkInsertFamilies = async (db: Db, rows: FamilyRow[], chunk: number) => {
  for (let i = 0; i < rows.length; i += chunk) await db.insertInto('product_families').values(rows.slice(i, i + chunk)).execute();
  return rows.length;
};
