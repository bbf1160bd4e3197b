import type { CatalogService, CategoryNode, FamiliesService, FamilyDetail, Product } from '../modules/catalog/index.ts';
import type { DeliveryService } from '../modules/fulfillment/index.ts';
import type { IdentityService, Principal } from '../modules/identity/index.ts';
import type { Availability, InventoryService } from '../modules/inventory/index.ts';
import type { Cache } from '../platform/cache.ts';
import type { Logger } from '../platform/logger.ts';

/** `unknown` when inventory could not be asked: browsing survives an inventory outage. */
export type DisplayAvailability = Availability | 'unknown';

export interface ProductView {
  product: Product;
  availability: DisplayAvailability;
}

/** A delivery promise to the viewer's default address: personal, never in a shared cache. */
export interface DeliveryPromise {
  estimatedDelivery: string;
  carrier: string;
  shipsFrom: string;
  toPostalCode: string;
}

/** A family with its active children and their availability (the storefront's option picker). */
export interface FamilyView {
  family: FamilyDetail;
  availability: (productId: string) => DisplayAvailability;
}

export interface ProductPagesDeps {
  catalog: CatalogService;
  families: Pick<FamiliesService, 'getFamilyForViewer'>;
  inventory: Pick<InventoryService, 'getAvailability' | 'nearestWarehouseWithStock'>;
  identity: Pick<IdentityService, 'findDefaultAddress'>;
  delivery: Pick<DeliveryService, 'estimate'>;
  /** Object cache for the availability of personal pages. */
  cache: Cache;
  logger: Logger;
}

/** Availability read for personal pages is reused this long (the spec allows 30 s). */
const AVAILABILITY_CACHE_SECONDS = 10;
const availabilityKey = (id: string) => `availability:${id}`;
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * The browse reads behind product pages, lists, family pages and the category tree, across catalog,
 * inventory, identity and delivery. Reads for shared pages (`public*`) go to the
 * databases: their result is what the response cache stores, so stacking another cache
 * under it would add its staleness to the page's. Personal pages (`viewerProduct`) are not
 * response-cached; they read through the object caches and batch those reads.
 */
export class ProductPages {
  private lastOutageLog = 0;

  constructor(private readonly deps: ProductPagesDeps) {}

  /** An active product with its availability (`product_not_found` otherwise). Two statements. */
  async publicProduct(id: string): Promise<ProductView> {
    const product = await this.deps.catalog.getProductForViewer(undefined, id, { fresh: true, mayBeStale: true });
    const availability = await this.freshAvailability([product.id]);
    return { product, availability: availability(product.id) };
  }

  /** Active products, newest first, with availability from one batched read. */
  async publicList(query: { categoryId?: number; cursor?: string; limit: number }): Promise<{ items: ProductView[]; nextCursor: string | null }> {
    const page = await this.deps.catalog.listProducts(query, { mayBeStale: true });
    const availability = await this.freshAvailability(page.products.map((p) => p.id));
    return { items: page.products.map((product) => ({ product, availability: availability(product.id) })), nextCursor: page.nextCursor };
  }

  /** An active family with its active children (`family_not_found` otherwise), availability in one batched read. */
  async publicFamily(id: string): Promise<FamilyView> {
    const family = await this.deps.families.getFamilyForViewer(undefined, id);
    return { family, availability: await this.freshAvailability(family.variants.map((v) => v.id)) };
  }

  /** The family as its viewer sees it: a manager also sees the family and children that are not active. */
  async viewerFamily(viewer: Principal, id: string): Promise<FamilyView> {
    const family = await this.deps.families.getFamilyForViewer(viewer, id);
    return { family, availability: await this.cachedAvailability(family.variants.map((v) => v.id)) };
  }

  async categoryTree(): Promise<CategoryNode[]> {
    return this.deps.catalog.listCategories({ mayBeStale: true });
  }

  /** The page a signed-in viewer sees: managers also see inactive products; everyone gets a delivery promise. */
  async viewerProduct(viewer: Principal, id: string): Promise<ProductView & { delivery: DeliveryPromise | null }> {
    const product = await this.deps.catalog.getProductForViewer(viewer, id);
    const [availability, delivery] = await Promise.all([this.cachedAvailability([product.id]), this.deliveryPromise(viewer, product.id)]);
    return { product, availability: availability(product.id), delivery };
  }

  /** Drops cached availability (a stock change); the cache invalidator calls it. */
  async evictAvailability(productIds: readonly string[]): Promise<void> {
    await Promise.all(productIds.map((id) => this.deps.cache.delete(availabilityKey(id))));
  }

  /** The delivery promise of a product to the viewer's default address (null: no address, or no stock anywhere). */
  async deliveryPromise(viewer: Principal, productId: string): Promise<DeliveryPromise | null> {
    const address = await this.deps.identity.findDefaultAddress(viewer);
    if (!address) return null;
    const warehouse = await this.deps.inventory.nearestWarehouseWithStock(productId, address);
    if (!warehouse) return null;
    const estimate = await this.deps.delivery.estimate(warehouse, address);
    return { estimatedDelivery: estimate.estimatedDelivery, carrier: estimate.carrierName, shipsFrom: warehouse.code, toPostalCode: address.postalCode };
  }

  private async freshAvailability(ids: string[]): Promise<(id: string) => DisplayAvailability> {
    if (ids.length === 0) return () => 'unknown';
    try {
      const known = await this.deps.inventory.getAvailability(ids);
      return (id) => known.get(id)?.status ?? 'out_of_stock';
    } catch (error) {
      this.outage(error);
      return () => 'unknown';
    }
  }

  private async cachedAvailability(ids: string[]): Promise<(id: string) => DisplayAvailability> {
    const cached = new Map<string, Availability>();
    const hits = await this.deps.cache.getMany<Availability>(ids.map(availabilityKey));
    ids.forEach((id, i) => hits[i] && cached.set(id, hits[i]));
    const missing = ids.filter((id) => !cached.has(id));
    if (missing.length === 0) return (id) => cached.get(id) ?? 'out_of_stock';
    try {
      const known = await this.deps.inventory.getAvailability(missing);
      for (const id of missing) cached.set(id, known.get(id)?.status ?? 'out_of_stock');
      await Promise.all(missing.map((id) => this.deps.cache.set(availabilityKey(id), cached.get(id), AVAILABILITY_CACHE_SECONDS)));
      return (id) => cached.get(id) ?? 'out_of_stock';
    } catch (error) {
      this.outage(error);
      return (id) => cached.get(id) ?? 'unknown';
    }
  }

  /** One log line per outage window, not one per request. */
  private outage(error: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageLog < OUTAGE_LOG_INTERVAL_MS) return;
    this.lastOutageLog = now;
    this.deps.logger.warn({ err: error }, 'availability unavailable; serving products without it');
  }
}
