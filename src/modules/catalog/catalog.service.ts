import type { Kysely } from 'kysely';
import type { Cache } from '../../platform/cache.ts';
import type { Clock } from '../../platform/clock.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode, type Executor } from '../../platform/database.ts';
import { AppError, conflict, forbidden, invalid, isAppError, notFound, unprocessable } from '../../platform/errors.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { appendToOutbox, EventTypes } from '../events/index.ts';
import { assertAdmin, assertWriter, canManageSeller, managedSeller, sellerForNewItem } from './catalog.access.ts';
import { variantExists } from './catalog.errors.ts';
import { importBatch, type CatalogBatch } from './catalog.import.ts';
import * as repo from './catalog.repository.ts';
import { listProductsForStaff, type StaffProductFilter } from './catalog.staff.repository.ts';
import type { CatalogTables } from './catalog.tables.ts';
import type {
  CatalogChangeListener,
  CatalogPrincipal,
  Category,
  CategoryNode,
  ImportResult,
  NewProductInput,
  Product,
  ProductPage,
  ProductPatch,
  Seller,
  SellerKind,
} from './catalog.types.ts';
import { checkName, checkRating, checkSellerKind, checkSlug, normalizeProductFields } from './catalog.validation.ts';
import { checkVariant } from './families.service.ts';

export interface CatalogOptions {
  /** TTL of the read-through product cache (0 disables it). */
  productCacheSeconds: number;
  /** Told after each committed write, so caches of this process (and, through it, others) drop what changed at once. */
  changes?: CatalogChangeListener;
  /**
   * Where reads that may be stale go (DATABASE_READ_URL's replica, falling back to the
   * primary): only the `mayBeStale` reads of shared browse pages. Default: the primary.
   */
  readDb?: Kysely<any>;
}

/** A read for a shared browse page, which the spec lets be a few seconds stale: it may go to the replica. */
export interface ReadOptions {
  mayBeStale?: boolean;
}

/** Aggregate id of the category tree in the outbox (category ids are integers, aggregate ids UUIDs). */
export const CATEGORY_TREE_AGGREGATE_ID = '00000000-0000-4000-8000-00000000ca7e';

/** What a product write changed, for the caches told after commit. */
interface ProductChange {
  change: 'created' | 'updated' | 'status_changed';
  previousCategoryId?: number;
  previousFamilyId?: string | null;
}

const MAX_CATEGORY_DEPTH = 8;
const productKey = (id: string) => `product:${id}`;
const productNotFound = (id: string) => notFound('product', id);
const categoryNotFound = (id: number) => notFound('category', id);
const ProductsCursor = cursorCodec({ id: 'uuid' });
/** The unique index that keeps one child per option combination within a family. */
const VARIANT_INDEX = 'products_family_options_idx';
const isVariantClash = (error: unknown) => pgErrorCode(error) === PG_UNIQUE_VIOLATION && String((error as { constraint?: string }).constraint ?? (error as Error).message).includes(VARIANT_INDEX);

/** Rows one product import may hold. */
export const IMPORT_MAX_ROWS = 1000;

/** One row of a product import: with `id` a change of that product, without it a new product. */
export interface ProductImportRow {
  id?: string;
  sellerId?: string;
  fields: ProductPatch;
}

export interface ImportedProduct {
  row: number;
  action: 'created' | 'updated';
  product: Product;
}

const variantClash = (fields: ProductPatch) => (error: unknown): never => {
  if (isVariantClash(error)) throw variantExists(String(fields.familyId ?? ''), fields.options ?? {});
  throw error;
};

/** Runs one row's step; its error names the row. */
async function atRow<T>(row: number, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw new AppError(error.code, error.kind, `Row ${row}: ${error.message}`, { ...error.details, row });
  }
}

/** A new product's row needs a title, a category and a price. */
function completeInput(fields: ProductPatch): NewProductInput {
  const missing = (['title', 'categoryId', 'price'] as const).filter((f) => fields[f] === undefined);
  if (missing.length > 0) {
    throw invalid('import_row_incomplete', 'A row without an id creates a product and needs title, category_id and price', { missing: missing.map((f) => (f === 'categoryId' ? 'category_id' : f)) });
  }
  return { ...fields, title: fields.title!, categoryId: fields.categoryId!, price: fields.price! };
}

type CachedProduct = Omit<Product, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };
const revive = (p: CachedProduct): Product => ({ ...p, createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) });

/**
 * Products, categories and sellers: the browse side of the shop.
 *
 * Reads for display may come from the cache (`getProductCached`); anything that charges or
 * reserves must use `findProducts`/`getProduct`, which always read the database. Every
 * product write records `catalog.product.updated` in the outbox in its own transaction and
 * evicts the cached copy after commit. Only admins, or the seller owning a product, write.
 *
 * Error codes: `product_not_found` / `category_not_found` (404), `category_not_found` /
 * `seller_not_found` (422 when named in a write), `forbidden` / `product_suspended` (403),
 * `category_slug_taken` / `seller_account_taken` (409), `invalid_cursor`, `seller_required` and
 * the `invalid_<field>` codes of catalog.validation.ts (400).
 */
export class CatalogService {
  constructor(
    private readonly db: Kysely<any>,
    private readonly clock: Clock,
    private readonly cache: Cache,
    private readonly options: CatalogOptions,
  ) {}

  private reader(options: ReadOptions): Kysely<any> {
    return options.mayBeStale ? (this.options.readDb ?? this.db) : this.db;
  }

  /** A product in any status, from the database. */
  async getProduct(id: string, options: ReadOptions = {}): Promise<Product> {
    const product = isUuid(id) ? await repo.findProduct(this.reader(options), id) : undefined;
    if (!product) throw productNotFound(id);
    return product;
  }

  /** Read-through cache of `getProduct` (key `product:<id>`): display only, may be `productCacheSeconds` stale. */
  async getProductCached(id: string): Promise<Product> {
    const hit = await this.cache.get<CachedProduct>(productKey(id));
    if (hit) return revive(hit);
    const product = await this.getProduct(id);
    await this.cache.set(productKey(id), product, this.options.productCacheSeconds);
    return product;
  }

  /**
   * The storefront view: a product that is not active is reported missing unless the viewer
   * may manage it. Read through the product cache unless `fresh` (a render for the response
   * cache, which must not stack two caches' staleness).
   */
  async getProductForViewer(viewer: CatalogPrincipal | undefined, id: string, options: { fresh?: boolean } & ReadOptions = {}): Promise<Product> {
    const product = options.fresh ? await this.getProduct(id, { mayBeStale: options.mayBeStale === true && viewer === undefined }) : await this.getProductCached(id);
    if (product.status !== 'active' && !(viewer && (await this.canManage(viewer, product)))) throw productNotFound(id);
    return product;
  }

  /** Products by id, always from the database (checkout prices, cart snapshots). Unknown ids are absent from the map. */
  async findProducts(ids: string[]): Promise<Map<string, Product>> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    const products = await repo.findProducts(this.db, wanted);
    return new Map(products.map((p) => [p.id, p]));
  }

  /** Drops a product's cached copy; the cache invalidator calls it for writes made by other processes. */
  async evictCachedProduct(id: string): Promise<void> {
    await this.cache.delete(productKey(id));
  }

  /**
   * Active products, newest first, by keyset on id: a page never repeats or skips a product
   * already listed when others are added meanwhile (new ids sort before the cursor).
   * `categoryId` includes its descendants; an unknown one is `category_not_found` (404).
   */
  async listProducts(query: { categoryId?: number; cursor?: string; limit: number }, options: ReadOptions = {}): Promise<ProductPage> {
    const db = this.reader(options);
    const limit = Math.min(Math.max(Math.trunc(query.limit) || 1, 1), 100);
    const beforeId = query.cursor !== undefined ? ProductsCursor.decode(query.cursor).id : undefined;
    let categoryPath: string | undefined;
    if (query.categoryId !== undefined) {
      const category = Number.isSafeInteger(query.categoryId) ? await repo.findCategory(db, query.categoryId) : undefined;
      if (!category) throw categoryNotFound(query.categoryId);
      categoryPath = category.path;
    }
    const rows = await repo.listActiveProducts(db, { limit: limit + 1, ...(beforeId ? { beforeId } : {}), ...(categoryPath !== undefined ? { categoryPath } : {}) });
    const products = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? ProductsCursor.encode({ id: products[products.length - 1]!.id }) : null;
    return { products, nextCursor };
  }

  /**
   * The console's product list: any status, newest first, keyset on id. An admin sees every
   * seller's products (or one seller's with `sellerId`); a seller only its own. Error codes:
   * `forbidden`, `invalid_cursor`.
   */
  async listProductsForStaff(principal: CatalogPrincipal, query: Omit<StaffProductFilter, 'sellerId'> & { sellerId?: string; cursor?: string; limit: number }): Promise<ProductPage> {
    assertWriter(principal);
    const limit = Math.min(Math.max(Math.trunc(query.limit) || 1, 1), 100);
    const beforeId = query.cursor !== undefined ? ProductsCursor.decode(query.cursor).id : undefined;
    const own = await managedSeller(this.db, principal);
    if (principal.role === 'seller' && !own) throw forbidden('This account does not manage a seller');
    const sellerId = own ?? query.sellerId;
    const filter = { ...(query.q ? { q: query.q } : {}), ...(query.status ? { status: query.status } : {}), ...(sellerId ? { sellerId } : {}) };
    const rows = await listProductsForStaff(this.db, filter, beforeId, limit + 1);
    const products = rows.slice(0, limit);
    return { products, nextCursor: rows.length > limit ? ProductsCursor.encode({ id: products[products.length - 1]!.id }) : null };
  }

  /** Active products by rating × reviews, best first: popularity when nothing better is known. */
  async listTopRatedProductIds(limit: number): Promise<string[]> {
    return repo.listTopRatedProductIds(this.db, Math.min(Math.max(Math.trunc(limit), 1), 1_000_000));
  }

  async countProducts(): Promise<number> {
    return repo.countProducts(this.db);
  }

  /** Every category as a forest, children ordered by slug path. */
  async listCategories(options: ReadOptions = {}): Promise<CategoryNode[]> {
    const nodes = (await repo.listCategories(this.reader(options))).map((c): CategoryNode => ({ ...c, children: [] }));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const roots: CategoryNode[] = [];
    for (const node of nodes) {
      const parent = node.parentId === null ? undefined : byId.get(node.parentId);
      (parent ? parent.children : roots).push(node);
    }
    return roots;
  }

  async createCategory(principal: CatalogPrincipal, input: { name: string; slug: string; parentId?: number | null }): Promise<Category> {
    assertAdmin(principal);
    const name = checkName(input.name);
    const slug = checkSlug(input.slug);
    let path = slug;
    if (input.parentId != null) {
      const parent = Number.isSafeInteger(input.parentId) ? await repo.findCategory(this.db, input.parentId) : undefined;
      if (!parent) throw unprocessable('category_not_found', `Parent category ${input.parentId} does not exist`);
      if (parent.path.split('/').length >= MAX_CATEGORY_DEPTH) throw unprocessable('category_too_deep', `Categories nest at most ${MAX_CATEGORY_DEPTH} levels`);
      path = `${parent.path}/${slug}`;
    }
    let category: Category;
    try {
      category = await this.db.transaction().execute(async (trx) => {
        const created = await repo.insertCategory(trx, { parent_id: input.parentId ?? null, name, slug, path });
        await appendToOutbox(trx, {
          type: EventTypes.categoryUpdated,
          aggregateType: 'category_tree',
          aggregateId: CATEGORY_TREE_AGGREGATE_ID,
          payload: { category_id: created.id, parent_id: created.parentId, change: 'created' },
        });
        return created;
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw conflict('category_slug_taken', `The slug ${slug} is already used`);
      throw error;
    }
    await this.options.changes?.catalogChanged({ kind: 'category', categoryId: category.id });
    return category;
  }

  async createSeller(principal: CatalogPrincipal, input: { name: string; kind: SellerKind; accountId?: string | null }): Promise<Seller> {
    assertAdmin(principal);
    const accountId = input.accountId ?? null;
    if (accountId !== null && !isUuid(accountId)) throw invalid('invalid_account_id', 'account_id is a UUID');
    const row = { id: newId(), name: checkName(input.name), kind: checkSellerKind(input.kind), account_id: accountId };
    try {
      return await repo.insertSeller(this.db, row);
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw conflict('seller_account_taken', 'That account already manages a seller');
      throw error;
    }
  }

  async findSellerByAccount(accountId: string): Promise<Seller | undefined> {
    return isUuid(accountId) ? repo.findSellerByAccount(this.db, accountId) : undefined;
  }

  async listSellers(): Promise<Seller[]> {
    return repo.listSellers(this.db);
  }

  /** Admins create for any seller (`sellerId` required); a seller account for its own seller only. */
  async createProduct(principal: CatalogPrincipal, input: NewProductInput): Promise<Product> {
    const sellerId = await sellerForNewItem(this.db, principal, input.sellerId);
    const fields = this.newProductFields(principal, input);
    const created = await this.db.transaction().execute((trx) => this.insertIn(trx, sellerId, fields)).catch(variantClash(fields));
    await this.announce(created, { change: 'created' });
    return created;
  }

  /**
   * Changes the given fields. Sellers change only their own products and may neither set nor
   * lift `suspended` (an admin decision; `product_suspended`, 403).
   */
  async updateProduct(principal: CatalogPrincipal, id: string, patch: ProductPatch): Promise<Product> {
    assertWriter(principal);
    const fields = normalizeProductFields(patch);
    const { product, ...change } = await this.db.transaction().execute((trx) => this.updateIn(trx, principal, id, fields)).catch(variantClash(fields));
    await this.evictCachedProduct(product.id);
    await this.announce(product, change);
    return product;
  }

  /**
   * Creates and changes many products in one transaction (the CSV / JSON import): a row with an
   * `id` changes that product, one without creates a product (title, category and price
   * required). Every row is checked as its single-product call would check it and records its
   * own `catalog.product.updated`; the first bad row fails the whole import with its error code
   * and `details.row` (1-based), and nothing is written. At most `IMPORT_MAX_ROWS` rows.
   */
  async importProducts(principal: CatalogPrincipal, rows: ProductImportRow[]): Promise<ImportedProduct[]> {
    assertWriter(principal);
    if (rows.length === 0 || rows.length > IMPORT_MAX_ROWS) throw invalid('invalid_import', `An import has 1 to ${IMPORT_MAX_ROWS} rows`, { rows: rows.length });
    const prepared: { row: number; id?: string; sellerId?: string; fields: ProductPatch }[] = [];
    for (const [i, row] of rows.entries()) {
      prepared.push(await atRow(i + 1, async () => {
        if (row.id !== undefined) return { row: i + 1, id: row.id, fields: normalizeProductFields(row.fields) };
        const input = completeInput(row.fields);
        return { row: i + 1, sellerId: await sellerForNewItem(this.db, principal, row.sellerId), fields: this.newProductFields(principal, input) };
      }));
    }
    const done = await this.db.transaction().execute(async (trx) => {
      const results: (ImportedProduct & { change: ProductChange })[] = [];
      for (const p of prepared) {
        const written = await atRow(p.row, () =>
          (p.id !== undefined
            ? this.updateIn(trx, principal, p.id, p.fields)
            : this.insertIn(trx, p.sellerId!, p.fields).then((product) => ({ product, change: 'created' as const }))
          ).catch(variantClash(p.fields)),
        );
        const { product, ...change } = written;
        results.push({ row: p.row, action: p.id !== undefined ? 'updated' : 'created', product, change });
      }
      return results;
    });
    for (const r of done) {
      if (r.action === 'updated') await this.evictCachedProduct(r.product.id);
      await this.announce(r.product, r.change);
    }
    return done.map(({ change: _change, ...r }) => r);
  }

  private newProductFields(principal: CatalogPrincipal, input: NewProductInput): ProductPatch {
    const fields = normalizeProductFields({ ...input, images: input.images ?? [], attributes: input.attributes ?? {} });
    checkRating(fields.avgRating ?? 0, fields.reviewCount ?? 0);
    if (fields.status === 'suspended' && principal.role !== 'admin') throw forbidden('Only an admin suspends a product');
    return fields;
  }

  private async insertIn(trx: Executor<CatalogTables>, sellerId: string, fields: ProductPatch): Promise<Product> {
    const now = this.clock.now();
    await this.assertCategoryExists(trx, fields.categoryId!);
    await checkVariant(trx, { sellerId, familyId: fields.familyId ?? null, options: fields.options ?? {} });
    const product = await repo.insertProduct(trx, {
      ...repo.productColumns(fields),
      id: newId(),
      seller_id: sellerId,
      title: fields.title!,
      category_id: fields.categoryId!,
      price_amount: fields.price!.amount,
      currency: fields.price!.currency,
      status: fields.status ?? 'active',
      created_at: now,
      updated_at: now,
    });
    await this.recordChange(trx, product, 'created');
    return product;
  }

  private async updateIn(trx: Executor<CatalogTables>, principal: CatalogPrincipal, id: string, fields: ProductPatch): Promise<{ product: Product } & ProductChange> {
    const current = isUuid(id) ? await repo.findProduct(trx, id, { forUpdate: true }) : undefined;
    if (!current) throw productNotFound(id);
    if (!(await this.canManage(principal, current, trx))) throw forbidden('You may change only your own products');
    const statusChanges = fields.status !== undefined && fields.status !== current.status;
    if (principal.role !== 'admin' && statusChanges && (current.status === 'suspended' || fields.status === 'suspended')) {
      throw new AppError('product_suspended', 'forbidden', 'Only an admin suspends a product or lifts a suspension');
    }
    if (fields.categoryId !== undefined) await this.assertCategoryExists(trx, fields.categoryId);
    // A rating and its review count are checked together, one of them given or both.
    if (fields.avgRating !== undefined || fields.reviewCount !== undefined) checkRating(fields.avgRating ?? current.avgRating, fields.reviewCount ?? current.reviewCount);
    if (fields.familyId !== undefined || fields.options !== undefined) {
      const familyId = fields.familyId !== undefined ? fields.familyId : current.familyId;
      // Leaving a family clears the options; joining or moving keeps the ones given.
      fields.options ??= familyId === null ? {} : current.options;
      await checkVariant(trx, { sellerId: current.sellerId, familyId, options: fields.options });
    }
    const product = await repo.updateProduct(trx, current.id, { ...repo.productColumns(fields), updated_at: this.clock.now() });
    if (!product) throw productNotFound(id);
    const previousCategoryId = product.categoryId !== current.categoryId ? current.categoryId : undefined;
    const previousFamilyId = product.familyId !== current.familyId ? current.familyId : undefined;
    const change = statusChanges ? 'status_changed' : 'updated';
    await this.recordChange(trx, product, change, { previousCategoryId, previousFamilyId });
    return { product, change, ...(previousCategoryId !== undefined ? { previousCategoryId } : {}), ...(previousFamilyId !== undefined ? { previousFamilyId } : {}) };
  }

  /** Tells this process's caches at once, after commit; other processes learn from the outbox event. */
  private async announce(product: Product, change: ProductChange): Promise<void> {
    await this.options.changes?.catalogChanged({ kind: 'product', productId: product.id, categoryId: product.categoryId, familyId: product.familyId, ...change });
  }

  /** The product if the principal may manage it (admin: any; seller: own). Unknown: `product_not_found`; else `forbidden`. */
  async assertCanManageProduct(principal: CatalogPrincipal, productId: string): Promise<Product> {
    assertWriter(principal);
    const product = await this.getProduct(productId);
    if (!(await this.canManage(principal, product))) throw forbidden('You may manage only your own products');
    return product;
  }

  /** Bulk load for the seeder: one transaction, multi-row inserts, no outbox rows (the seeder reindexes search). */
  async importCatalog(batch: CatalogBatch): Promise<ImportResult> {
    try {
      return await this.db.transaction().execute((trx) => importBatch(trx, batch, this.clock.now()));
    } catch (error) {
      const code = pgErrorCode(error);
      if (code === PG_UNIQUE_VIOLATION) throw conflict('import_conflict', 'An imported row has an id, slug or account that already exists');
      if (code === PG_FOREIGN_KEY_VIOLATION) throw unprocessable('import_reference_missing', 'An imported row refers to a seller or category that does not exist');
      throw error;
    }
  }

  private canManage(principal: CatalogPrincipal, product: Product, executor: Executor<any> = this.db): Promise<boolean> {
    return canManageSeller(executor, principal, product.sellerId);
  }

  private async assertCategoryExists(executor: Executor<any>, id: number): Promise<void> {
    if (!(await repo.findCategory(executor, id))) throw unprocessable('category_not_found', `Category ${id} does not exist`);
  }

  private recordChange(
    executor: Executor<any>,
    product: Product,
    change: 'created' | 'updated' | 'status_changed',
    { previousCategoryId, previousFamilyId }: { previousCategoryId?: number | undefined; previousFamilyId?: string | null | undefined } = {},
  ) {
    return appendToOutbox(executor, {
      type: EventTypes.productUpdated,
      aggregateType: 'product',
      aggregateId: product.id,
      payload: {
        product_id: product.id,
        seller_id: product.sellerId,
        change,
        status: product.status,
        price_amount: product.price.amount,
        currency: product.price.currency,
        title: product.title,
        category_id: product.categoryId,
        family_id: product.familyId,
        ...(previousCategoryId !== undefined ? { previous_category_id: previousCategoryId } : {}),
        ...(previousFamilyId ? { previous_family_id: previousFamilyId } : {}),
      },
    });
  }
}
