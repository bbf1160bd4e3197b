import type { CatalogChange, CatalogChangeListener } from '../modules/catalog/index.ts';
import { EventTypes, type EventOf, type PlainConsumer } from '../modules/events/index.ts';
import type { Logger } from '../platform/logger.ts';
import type { BrowseCache } from './browse-cache.ts';

/**
 * Cache tags of the browse path. A cached response names the tags it depends on; a change
 * invalidates tags, never URLs, so one product's change reaches its page, every list that
 * shows it, and the CDN's copies of all of them.
 */
export const CacheTags = {
  /** The product's page, and any list page showing it (price, title, availability). */
  product: (id: string) => `product:${id.toLowerCase()}`,
  /** Which products the product lists hold (a product created, (de)activated or moved). */
  productLists: 'list:products',
  /** The category tree. */
  categories: 'categories',
  /** A variation family's page (and any page showing its option picker). */
  family: (id: string) => `family:${id.toLowerCase()}`,
} as const;

export const CACHE_INVALIDATOR_CONSUMER = 'cache.invalidator';

const INVALIDATING = [EventTypes.productUpdated, EventTypes.stockChanged, EventTypes.categoryUpdated, EventTypes.familyUpdated] as const;
type InvalidatingEvent = EventOf<(typeof INVALIDATING)[number]>;

/** The tags a committed catalog write makes stale. */
export function tagsForCatalogChange(change: CatalogChange): string[] {
  if (change.kind === 'category') return [CacheTags.categories];
  if (change.kind === 'family') return [CacheTags.family(change.familyId)];
  const tags = [CacheTags.product(change.productId)];
  if (change.change !== 'updated' || change.previousCategoryId !== undefined) tags.push(CacheTags.productLists);
  // A family page lists its children: the one joined gains one (the one left is tagged with the product already).
  if (change.familyId) tags.push(CacheTags.family(change.familyId));
  if (change.previousFamilyId) tags.push(CacheTags.family(change.previousFamilyId));
  return tags;
}

export function tagsForEvent(event: InvalidatingEvent): string[] {
  switch (event.type) {
    case EventTypes.productUpdated: {
      const p = event.payload;
      return tagsForCatalogChange({
        kind: 'product',
        productId: p.product_id,
        change: p.change,
        categoryId: p.category_id ?? 0,
        familyId: p.family_id ?? null,
        ...(p.previous_category_id !== undefined ? { previousCategoryId: p.previous_category_id } : {}),
        ...(p.previous_family_id !== undefined ? { previousFamilyId: p.previous_family_id } : {}),
      });
    }
    case EventTypes.stockChanged:
      return [CacheTags.product(event.payload.product_id)];
    case EventTypes.categoryUpdated:
      return [CacheTags.categories];
    case EventTypes.familyUpdated:
      return tagsForCatalogChange({ kind: 'family', familyId: event.payload.family_id });
  }
}

/**
 * The spec's cache invalidator: on every product, stock, family and category change it drops the
 * Redis entries, tells every API process to drop its copies, and bans them in the CDN.
 * Idempotent, so a plain consumer: a redelivered event invalidates again, harmlessly. A
 * step that fails (Redis, the bus between processes, a CDN node) fails the event, which
 * is retried with backoff.
 */
export function cacheInvalidatorConsumer(browse: BrowseCache): PlainConsumer<(typeof INVALIDATING)[number]> {
  return {
    name: CACHE_INVALIDATOR_CONSUMER,
    types: INVALIDATING,
    handle: (event) => browse.invalidate(tagsForEvent(event), { cdn: true }),
  };
}

/**
 * The fast path of the process that wrote: its own caches, Redis and the other processes
 * are told right after commit (an admin sees the change on the next request). The CDN is
 * left to the cache invalidator, which retries. A failure here is only logged: the event
 * repairs it.
 */
export function catalogChangeListener(browse: BrowseCache, logger: Logger): CatalogChangeListener {
  return {
    async catalogChanged(change) {
      try {
        await browse.invalidate(tagsForCatalogChange(change), { cdn: false });
      } catch (error) {
        logger.warn({ err: error, change }, 'could not invalidate caches after a catalog write; the cache invalidator will');
      }
    },
  };
}
