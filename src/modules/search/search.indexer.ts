import type { Kysely } from 'kysely';
import * as repo from './search.repository.ts';
import type { IndexableCategory, IndexableProduct, ProductFeed, ReindexProgress, ReindexReport } from './search.types.ts';

/** Active, in a category, and not the child of a family that is hidden. */
const isSearchable = (p: IndexableProduct) => p.status === 'active' && p.categories.length > 0 && (!p.family || p.family.status === 'active');

/**
 * Keeps `search_documents` a copy of the catalog. Every write re-reads the source of truth
 * through the feed instead of trusting an event's payload, so refreshing is idempotent and
 * insensitive to event order or duplicates.
 */
export class SearchIndexer {
  constructor(
    private readonly db: Kysely<any>,
    private readonly feed: ProductFeed,
  ) {}

  /** Re-indexes these products from the catalog: active ones are (re)written, the rest removed. */
  async refreshProducts(ids: string[]): Promise<void> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (wanted.length === 0) return;
    // Read before opening the transaction: on PGlite the feed shares the one connection.
    const products = (await this.feed.findForIndex(wanted)).filter(isSearchable);
    const present = new Set(products.map((p) => p.id));
    await repo.withIndexWrite(this.db, async (trx) => {
      await repo.upsertDocuments(trx, products);
      await repo.deleteDocuments(trx, wanted.filter((id) => !present.has(id)));
      await repo.addTerms(trx, products.flatMap((p) => [...repo.termsOf(p)]));
      await repo.upsertCategories(trx, products.flatMap((p) => p.categories));
    });
  }

  /** Refreshes the in-stock flags of these products (approximate availability, no full rewrite). */
  async refreshAvailability(ids: string[]): Promise<void> {
    const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
    if (wanted.length === 0) return;
    const availability = await this.feed.availabilityOf(wanted);
    await repo.withIndexWrite(this.db, (trx) => repo.updateAvailability(trx, wanted.map((productId) => ({ productId, availability: availability.get(productId) ?? null }))));
  }

  /**
   * Rebuilds the index from the whole catalog, page by page, while searches keep being served
   * from the current rows; unchanged documents are not rewritten. Documents of products the
   * rebuild did not find searchable are removed at the end (unless an event re-indexed them
   * meanwhile), the spelling vocabulary is replaced with exact frequencies, and the table is
   * vacuumed.
   */
  async reindex(options: { onProgress?: (progress: ReindexProgress) => void; pageSize?: number } = {}): Promise<ReindexReport> {
    const started = Date.now();
    const startedAt = await repo.databaseNow(this.db);
    const total = await this.feed.countForIndex();
    const terms = new Map<string, number>();
    const categories = new Map<number, IndexableCategory>();
    const seen = new Set<string>();
    let cursor: string | null = null;
    let done = 0;
    let indexed = 0;
    options.onProgress?.({ done, total });
    do {
      const page = await this.feed.listForIndex({ cursor, limit: options.pageSize ?? 500 });
      const products = page.products.filter(isSearchable);
      await repo.withIndexWrite(this.db, (trx) => repo.upsertDocuments(trx, products));
      for (const product of products) {
        seen.add(product.id);
        for (const term of repo.termsOf(product)) terms.set(term, (terms.get(term) ?? 0) + 1);
        for (const category of product.categories) categories.set(category.id, category);
      }
      done += page.products.length;
      indexed += products.length;
      cursor = page.nextCursor;
      options.onProgress?.({ done, total: Math.max(total, done) });
    } while (cursor !== null);
    const removed = await repo.withIndexWrite(this.db, (trx) => repo.deleteUnseenDocuments(trx, seen, startedAt));
    await repo.replaceTerms(this.db, terms);
    await repo.upsertCategories(this.db, categories.values());
    await repo.deleteUnusedCategories(this.db);
    await repo.vacuumDocuments(this.db);
    return { indexed, removed, terms: terms.size, durationMs: Date.now() - started };
  }

  async countDocuments(): Promise<number> {
    return repo.countDocuments(this.db);
  }

  async hasUnanalyzedDocuments(): Promise<boolean> {
    return repo.hasUnanalyzedDocuments(this.db);
  }
}
