import type { Executor } from '../../platform/database.ts';
import { unprocessable } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import * as repo from './catalog.repository.ts';
import type { ImportResult, NewCategoryRow, NewFamilyRow, NewProductRow, NewSellerRow, ProductFamily } from './catalog.types.ts';
import { checkName, checkRating, checkSellerKind, checkSlug, normalizeFamilyFields, normalizeProductFields } from './catalog.validation.ts';
import * as familiesRepo from './families.repository.ts';
import { assertFitsFamily } from './families.service.ts';

export interface CatalogBatch {
  sellers?: NewSellerRow[];
  categories?: NewCategoryRow[];
  /** Variation families; products of the batch may join them by `familyId`. */
  families?: NewFamilyRow[];
  products?: NewProductRow[];
}

function familyRow(row: NewFamilyRow, now: Date): familiesRepo.FamilyRow {
  const fields = normalizeFamilyFields({ ...row, images: row.images ?? [] });
  const createdAt = row.createdAt ?? now;
  return {
    ...familiesRepo.familyColumns(fields),
    id: row.id,
    seller_id: row.sellerId,
    title: fields.title!,
    category_id: fields.categoryId!,
    axes: JSON.stringify(fields.axes),
    status: fields.status ?? 'active',
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/** Every product of the batch that names a family must fit it (same seller, a value on each axis). */
async function checkVariants(executor: Executor<any>, families: NewFamilyRow[], products: NewProductRow[]): Promise<void> {
  const named = [...new Set(products.map((p) => p.familyId).filter((id): id is string => typeof id === 'string'))];
  const known = new Map<string, Pick<ProductFamily, 'id' | 'sellerId' | 'axes'>>(families.map((f) => [f.id, { id: f.id, sellerId: f.sellerId, axes: f.axes }]));
  for (const family of await familiesRepo.findFamilies(executor, named.filter((id) => !known.has(id)))) known.set(family.id, family);
  for (const product of products) {
    const family = product.familyId ? known.get(product.familyId) : undefined;
    if (product.familyId && (!family || family.sellerId !== product.sellerId)) {
      throw unprocessable('family_not_found', `Product ${product.title} names family ${product.familyId}, which is not its seller's or does not exist`);
    }
    assertFitsFamily(family, product.options ?? {});
  }
}

/** Gives each imported category its materialized path; a parent is an existing category or an earlier row. */
async function categoryRows(executor: Executor<any>, rows: NewCategoryRow[]) {
  const batchPaths = new Map<number, string>();
  const outsideIds = rows.map((r) => r.parentId).filter((id): id is number => id != null && !rows.some((r) => r.id === id));
  const existing = new Map((await repo.findCategories(executor, [...new Set(outsideIds)])).map((c) => [c.id, c.path]));
  return rows.map((row) => {
    const slug = checkSlug(row.slug);
    const parentId = row.parentId ?? null;
    const parentPath = parentId === null ? '' : (batchPaths.get(parentId) ?? existing.get(parentId));
    if (parentPath === undefined) throw unprocessable('category_not_found', `Parent category ${parentId} of ${slug} is unknown or comes later in the batch`);
    const path = parentPath ? `${parentPath}/${slug}` : slug;
    batchPaths.set(row.id, path);
    return { id: row.id, parent_id: parentId, name: checkName(row.name), slug, path };
  });
}

function productRow(row: NewProductRow, now: Date): repo.ProductRow {
  const fields = normalizeProductFields({ ...row, images: row.images ?? [], attributes: row.attributes ?? {} });
  checkRating(row.avgRating ?? 0, row.reviewCount ?? 0);
  const createdAt = row.createdAt ?? now;
  return {
    ...repo.productColumns(fields),
    id: row.id ?? newId(),
    seller_id: row.sellerId,
    title: fields.title!,
    category_id: fields.categoryId!,
    price_amount: fields.price!.amount,
    currency: fields.price!.currency,
    avg_rating: Math.round((row.avgRating ?? 0) * 10) / 10,
    review_count: row.reviewCount ?? 0,
    status: fields.status ?? 'active',
    purchase_limit: fields.purchaseLimit ?? null,
    created_at: createdAt,
    updated_at: createdAt,
  };
}

/**
 * Bulk multi-row inserts for the seeder, in chunks of `IMPORT_CHUNK` rows. Writes no outbox
 * rows: the seeder rebuilds the search index afterwards instead of relaying one event per row.
 * Run it inside a transaction so a bad row leaves nothing behind.
 */
export async function importBatch(executor: Executor<any>, batch: CatalogBatch, now: Date): Promise<ImportResult> {
  const sellers = (batch.sellers ?? []).map((s) => ({
    id: s.id,
    name: checkName(s.name),
    kind: checkSellerKind(s.kind),
    account_id: s.accountId ?? null,
  }));
  const categories = await categoryRows(executor, batch.categories ?? []);
  const families = (batch.families ?? []).map((f) => familyRow(f, now));
  await checkVariants(executor, batch.families ?? [], batch.products ?? []);
  const products = (batch.products ?? []).map((p) => productRow(p, now));
  await repo.bulkInsertSellers(executor, sellers);
  await repo.bulkInsertCategories(executor, categories);
  if (categories.length > 0) await repo.syncCategorySequence(executor);
  await familiesRepo.bulkInsertFamilies(executor, families, repo.IMPORT_CHUNK);
  await repo.bulkInsertProducts(executor, products);
  return { sellers: sellers.length, categories: categories.length, families: families.length, products: products.length };
}
