import type { CatalogService, CategoryNode, FamiliesService, Product } from '../modules/catalog/index.ts';
import type { Availability, IndexableCategory, IndexableProduct, ProductFeed } from '../modules/search/index.ts';

/** The part of the inventory service the search index reads: approximate availability for display. */
export interface AvailabilitySource {
  getAvailability(productIds: string[]): Promise<Map<string, Availability>>;
}

const CATEGORY_TTL_MS = 60_000;

/**
 * Category chains (root → leaf) by id, from the catalog's tree. Reloaded after a minute, or
 * at once when a product names a category not seen yet (one just created).
 */
class CategoryChains {
  private chains = new Map<number, IndexableCategory[]>();
  private loadedAt = 0;

  constructor(private readonly catalog: CatalogService) {}

  async chainsFor(ids: number[]): Promise<Map<number, IndexableCategory[]>> {
    if (Date.now() - this.loadedAt > CATEGORY_TTL_MS || ids.some((id) => !this.chains.has(id))) await this.load();
    return this.chains;
  }

  private async load(): Promise<void> {
    const chains = new Map<number, IndexableCategory[]>();
    const walk = (nodes: CategoryNode[], above: IndexableCategory[]) => {
      for (const node of nodes) {
        const chain = [...above, { id: node.id, name: node.name, slug: node.slug, path: node.path }];
        chains.set(node.id, chain);
        walk(node.children, chain);
      }
    };
    walk(await this.catalog.listCategories(), []);
    this.chains = chains;
    this.loadedAt = Date.now();
  }
}

/** The family of a child as the index keeps it; a child whose family vanished is indexed on its own. */
function familyOf(p: Product, families: Map<string, { id: string; title: string; status: Product['status'] }>): IndexableProduct['family'] {
  const family = p.familyId === null ? undefined : families.get(p.familyId);
  return family ? { id: family.id, title: family.title, status: family.status } : null;
}

/**
 * The search index's view of the source of truth: catalog products with their category
 * chain and inventory's approximate availability. A failure of either propagates, so the
 * event consumer retries rather than indexing a product with made-up stock.
 */
export function createSearchFeed(catalog: CatalogService, inventory: AvailabilitySource | undefined, families?: Pick<FamiliesService, 'findFamilies'>): ProductFeed {
  const categories = new CategoryChains(catalog);

  const availabilityOf = async (ids: string[]): Promise<Map<string, Availability>> => {
    if (!inventory || ids.length === 0) return new Map();
    return inventory.getAvailability(ids);
  };

  const toIndexable = async (products: Product[]): Promise<IndexableProduct[]> => {
    if (products.length === 0) return [];
    const familyIds = [...new Set(products.map((p) => p.familyId).filter((id): id is string => id !== null))];
    const [chains, stock, familyById] = await Promise.all([
      categories.chainsFor(products.map((p) => p.categoryId)),
      availabilityOf(products.map((p) => p.id)),
      families && familyIds.length > 0 ? families.findFamilies(familyIds) : Promise.resolve(new Map()),
    ]);
    return products.map((p) => ({
      id: p.id,
      sellerId: p.sellerId,
      title: p.title,
      description: p.description,
      brand: p.brand,
      categories: chains.get(p.categoryId) ?? [],
      priceAmount: p.price.amount,
      currency: p.price.currency,
      images: p.images,
      attributes: p.attributes,
      avgRating: p.avgRating,
      reviewCount: p.reviewCount,
      status: p.status,
      availability: stock.get(p.id) ?? null,
      createdAt: p.createdAt,
      family: familyOf(p, familyById),
      options: p.options,
    }));
  };

  return {
    async listForIndex({ cursor, limit }) {
      const page = await catalog.listProducts({ limit: Math.min(limit, 100), ...(cursor !== null ? { cursor } : {}) });
      return { products: await toIndexable(page.products), nextCursor: page.nextCursor };
    },
    async findForIndex(ids) {
      return toIndexable([...(await catalog.findProducts(ids)).values()]);
    },
    availabilityOf,
    countForIndex: () => catalog.countProducts(),
  };
}
