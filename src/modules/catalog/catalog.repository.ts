import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import type { CatalogTables, CategoriesTable, ProductsTable, SellersTable } from './catalog.tables.ts';
import type { Category, Product, ProductPatch, Seller } from './catalog.types.ts';

type Db = Executor<CatalogTables>;
const as = (executor: Executor<any>) => executor as Db;

/** Rows per multi-row INSERT: ~16 parameters each stays far below PostgreSQL's 65,535. */
export const IMPORT_CHUNK = 500;

export const toProduct = (row: Selectable<ProductsTable>): Product => ({
  id: row.id,
  sellerId: row.seller_id,
  title: row.title,
  description: row.description,
  categoryId: row.category_id,
  brand: row.brand,
  price: { amount: row.price_amount, currency: row.currency },
  images: row.images,
  attributes: row.attributes,
  avgRating: Number(row.avg_rating),
  reviewCount: row.review_count,
  status: row.status,
  purchaseLimit: row.purchase_limit,
  checkoutChallenge: row.checkout_challenge,
  familyId: row.family_id,
  options: row.options,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toSeller = (row: Selectable<SellersTable>): Seller => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  accountId: row.account_id,
  createdAt: row.created_at,
});

const toCategory = (row: Selectable<CategoriesTable>): Category => ({
  id: row.id,
  parentId: row.parent_id,
  name: row.name,
  slug: row.slug,
  path: row.path,
});

export type ProductRow = Insertable<ProductsTable>;
export type ProductChanges = Partial<Omit<ProductRow, 'id' | 'seller_id' | 'created_at'>>;

/** Column values for the fields a (validated) patch sets; absent fields stay untouched. */
export function productColumns(patch: ProductPatch): ProductChanges {
  const changes: ProductChanges = {};
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.avgRating !== undefined) changes.avg_rating = patch.avgRating;
  if (patch.reviewCount !== undefined) changes.review_count = patch.reviewCount;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.brand !== undefined) changes.brand = patch.brand;
  if (patch.categoryId !== undefined) changes.category_id = patch.categoryId;
  if (patch.price !== undefined) {
    changes.price_amount = patch.price.amount;
    changes.currency = patch.price.currency;
  }
  if (patch.images !== undefined) changes.images = JSON.stringify(patch.images);
  if (patch.attributes !== undefined) changes.attributes = JSON.stringify(patch.attributes);
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.purchaseLimit !== undefined) changes.purchase_limit = patch.purchaseLimit;
  if (patch.checkoutChallenge !== undefined) changes.checkout_challenge = patch.checkoutChallenge;
  if (patch.familyId !== undefined) changes.family_id = patch.familyId;
  if (patch.options !== undefined) changes.options = JSON.stringify(patch.options);
  return changes;
}

export async function insertProduct(executor: Executor<any>, row: ProductRow): Promise<Product> {
  return toProduct(await as(executor).insertInto('products').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function findProduct(executor: Executor<any>, id: string, options: { forUpdate?: boolean } = {}): Promise<Product | undefined> {
  let query = as(executor).selectFrom('products').selectAll().where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

export async function findProducts(executor: Executor<any>, ids: string[]): Promise<Product[]> {
  if (ids.length === 0) return [];
  const rows = await as(executor).selectFrom('products').selectAll().where('id', 'in', ids).execute();
  return rows.map(toProduct);
}

export async function updateProduct(executor: Executor<any>, id: string, changes: ProductChanges): Promise<Product | undefined> {
  const row = await as(executor).updateTable('products').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

/** Active products newest first, strictly older than `beforeId`; `categoryPath` includes its descendants. */
export async function listActiveProducts(
  executor: Executor<any>,
  filter: { categoryPath?: string; beforeId?: string; limit: number },
): Promise<Product[]> {
  let query = as(executor).selectFrom('products').selectAll().where('status', '=', 'active');
  if (filter.categoryPath !== undefined) {
    const path = filter.categoryPath;
    query = query.where('category_id', 'in', (eb) =>
      eb
        .selectFrom('categories')
        .select('categories.id')
        .where((w) => w.or([w('path', '=', path), w('path', 'like', `${path}/%`)])),
    );
  }
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  const rows = await query.orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(toProduct);
}

export async function countProducts(executor: Executor<any>): Promise<number> {
  const row = await as(executor)
    .selectFrom('products')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertSeller(executor: Executor<any>, row: Insertable<SellersTable>): Promise<Seller> {
  return toSeller(await as(executor).insertInto('sellers').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function findSeller(executor: Executor<any>, id: string): Promise<Seller | undefined> {
  const row = await as(executor).selectFrom('sellers').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toSeller(row) : undefined;
}

export async function findSellerByAccount(executor: Executor<any>, accountId: string): Promise<Seller | undefined> {
  const row = await as(executor).selectFrom('sellers').selectAll().where('account_id', '=', accountId).executeTakeFirst();
  return row ? toSeller(row) : undefined;
}

export async function listSellers(executor: Executor<any>): Promise<Seller[]> {
  const rows = await as(executor).selectFrom('sellers').selectAll().orderBy('name').orderBy('id').execute();
  return rows.map(toSeller);
}

export async function insertCategory(executor: Executor<any>, row: Insertable<CategoriesTable>): Promise<Category> {
  return toCategory(await as(executor).insertInto('categories').values(row).returningAll().executeTakeFirstOrThrow());
}

export async function findCategory(executor: Executor<any>, id: number): Promise<Category | undefined> {
  const row = await as(executor).selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toCategory(row) : undefined;
}

export async function findCategories(executor: Executor<any>, ids: number[]): Promise<Category[]> {
  if (ids.length === 0) return [];
  const rows = await as(executor).selectFrom('categories').selectAll().where('id', 'in', ids).execute();
  return rows.map(toCategory);
}

export async function listCategories(executor: Executor<any>): Promise<Category[]> {
  const rows = await as(executor).selectFrom('categories').selectAll().orderBy('path').execute();
  return rows.map(toCategory);
}

async function insertChunked<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < rows.length; i += IMPORT_CHUNK) await insert(rows.slice(i, i + IMPORT_CHUNK));
  return rows.length;
}

export const bulkInsertSellers = (executor: Executor<any>, rows: Insertable<SellersTable>[]) =>
  insertChunked(rows, (chunk) => as(executor).insertInto('sellers').values(chunk).execute());

export const bulkInsertCategories = (executor: Executor<any>, rows: (Insertable<CategoriesTable> & { id: number })[]) =>
  insertChunked(rows, (chunk) => as(executor).insertInto('categories').values(chunk).execute());

export const bulkInsertProducts = (executor: Executor<any>, rows: ProductRow[]) =>
  insertChunked(rows, (chunk) => as(executor).insertInto('products').values(chunk).execute());

/** After inserting explicit ids into a serial column, move its sequence past them so later inserts do not collide. */
export async function syncCategorySequence(executor: Executor<any>): Promise<void> {
  await sql`select setval(pg_get_serial_sequence('categories', 'id'), coalesce((select max(id) from categories), 0) + 1, false)`.execute(executor);
}

/** Ids of active products by avg_rating × review_count, best first. */
export async function listTopRatedProductIds(executor: Db, limit: number): Promise<string[]> {
  const rows = await executor
    .selectFrom('products')
    .select('id')
    .where('status', '=', 'active')
    .orderBy(sql`avg_rating * review_count`, 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
