import type { AppContext } from '../app/context.ts';
import { AppError, invalid } from '../platform/errors.ts';
import { ImageStore } from '../platform/images.ts';
import { createSeededFaker, imageKey, planCatalog, ProductGenerator, type CatalogPlan, type GeneratedProduct } from './generate.ts';
import { placeholderSvg } from './placeholder.ts';

/** `products`: generating and importing rows; `search`: rebuilding the search index over them. */
export type SeedPhase = 'products' | 'search';

export interface SeedOptions {
  products: number;
  /**
   * Called with 0 when a phase starts and after each batch of it: first the products phase
   * (total = products), then the search phase (total = products the index reads).
   */
  onProgress?: (done: number, total: number, phase: SeedPhase) => void;
  /** Products generated and imported together (default 2,000). */
  batchSize?: number;
  /** Rebuild the search index afterwards (default true); without it search finds none of the products. */
  reindex?: boolean;
}

export interface SeedSummary {
  sellers: number;
  categories: number;
  warehouses: number;
  products: number;
  stockRows: number;
  images: number;
  /** Products in the search index afterwards (0 when `reindex` was false). */
  indexed: number;
  seconds: number;
  /** Of `seconds`, the time spent rebuilding the search index. */
  indexSeconds: number;
}

export const MAX_SEED_PRODUCTS = 1_000_000;
const DEFAULT_BATCH = 2_000;

/** One placeholder SVG per (leaf category, brand), stored once; returns each pair's URL. */
async function storeImages(store: ImageStore, plan: CatalogPlan): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const leaf of plan.leaves) {
    for (const brand of leaf.brands) {
      const svg = placeholderSvg({ hue: leaf.department.hue, department: leaf.department.name, category: leaf.spec.name, brand });
      urls.set(imageKey(leaf.categoryId, brand), await store.storeImage(Buffer.from(svg), 'svg'));
    }
  }
  return urls;
}

async function importBatch(ctx: AppContext, batch: GeneratedProduct[]): Promise<number> {
  const families = batch.flatMap((b) => (b.family ? [b.family] : []));
  await ctx.services.catalog.importCatalog({ families, products: batch.map((b) => b.product) });
  const stock = batch.flatMap((b) => b.stock);
  await ctx.services.inventory.importStock(stock);
  return stock.length;
}

/**
 * Fills an empty database with a deterministic demo catalog: 11 sellers (one first-party),
 * 8 departments with 40 leaf categories, 6 US warehouses, `products` products with
 * placeholder images (about one in six of them children of a variation family, differing by
 * size, colour or another variant attribute), and stock for each product in 1–4 warehouses
 * (some sold out, some low).
 * The content (titles, prices, attributes, ratings, stock figures) depends only on `products`;
 * ids and timestamps do not. Rows go in through the owning modules' bulk imports, in batches;
 * then the search index is rebuilt. Not atomic: a failure midway leaves the rows imported so far.
 *
 * Error codes: `already_seeded` (409) if the catalog has any product;
 * `invalid_product_count` (400) unless 1 ≤ products ≤ 1,000,000.
 */
export async function seedDemo(ctx: AppContext, options: SeedOptions): Promise<SeedSummary> {
  const total = options.products;
  if (!Number.isSafeInteger(total) || total < 1 || total > MAX_SEED_PRODUCTS) {
    throw invalid('invalid_product_count', `The number of products to seed is an integer from 1 to ${MAX_SEED_PRODUCTS}`, { products: total });
  }
  const existing = await ctx.services.catalog.countProducts();
  if (existing > 0) {
    throw new AppError('already_seeded', 'conflict', `The database already holds ${existing} products; seed an empty database (a new DATA_DIR/PGLITE_PATH or DATABASE_URL)`, {
      products: existing,
    });
  }
  const started = performance.now();
  const faker = createSeededFaker();
  const plan = planCatalog(faker);
  const images = await storeImages(new ImageStore(ctx.config.dataDir), plan);
  await ctx.services.catalog.importCatalog({ sellers: plan.sellers, categories: plan.categories });
  await ctx.services.inventory.importWarehouses(
    plan.warehouses.map(({ id, code, name, postalCode, processingSlaHours }) => ({ id, code, name, postalCode, country: 'US', processingSlaHours })),
  );

  const generator = new ProductGenerator(faker, plan, images, ctx.clock.now());
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  let done = 0;
  let stockRows = 0;
  options.onProgress?.(0, total, 'products');
  while (done < total) {
    const batch = Array.from({ length: Math.min(batchSize, total - done) }, () => generator.next());
    stockRows += await importBatch(ctx, batch);
    done += batch.length;
    options.onProgress?.(done, total, 'products');
  }
  // The bulk import writes no outbox rows (one event per product would flood the relay): index in one pass instead.
  const indexStarted = performance.now();
  const index =
    options.reindex === false
      ? undefined
      : await ctx.services.search.reindex({ onProgress: (p) => options.onProgress?.(p.done, p.total, 'search') });
  const summary = {
    sellers: plan.sellers.length,
    categories: plan.categories.length,
    warehouses: plan.warehouses.length,
    products: done,
    stockRows,
    images: new Set(images.values()).size,
    indexed: index?.indexed ?? 0,
    seconds: (performance.now() - started) / 1000,
    indexSeconds: index ? (performance.now() - indexStarted) / 1000 : 0,
  };
  ctx.logger.info(summary, 'demo catalog seeded');
  return summary;
}

/**
 * Seeds `products` demo products when the catalog is empty (what `bazaar all` does on first
 * start); returns undefined and writes nothing when it already has products or `products` is 0.
 */
export async function seedIfEmpty(ctx: AppContext, products: number, onProgress?: SeedOptions['onProgress']): Promise<SeedSummary | undefined> {
  if (products <= 0) return undefined;
  if ((await ctx.services.catalog.countProducts()) > 0) return undefined;
  return seedDemo(ctx, { products, ...(onProgress ? { onProgress } : {}) });
}
