import type { AppContext } from '../../src/app/context.ts';
import type { CatalogPrincipal, ProductStatus } from '../../src/modules/catalog/index.ts';
import { newId } from '../../src/platform/ids.ts';

export interface CatalogFixtureOptions {
  /** How many products to create (default 1). */
  products?: number;
  /** Price of every product in minor units (default 1999). */
  price?: number;
  /** Default 'USD'. */
  currency?: string;
  /** Status of every product (default 'active'). */
  status?: ProductStatus;
  /** Per-customer daily limit of every product (default null = platform default). */
  purchaseLimit?: number | null;
  /** Make this account the seller's manager (its role becomes 'seller'), for tests of seller-only routes. */
  sellerAccountId?: string;
  /** Titles are `${titlePrefix} 1..N` (default 'Fixture product'). */
  titlePrefix?: string;
}

export interface CatalogFixture {
  sellerId: string;
  categoryId: number;
  /** In creation order (so oldest first; the storefront lists newest first). */
  productIds: string[];
}

const fixtureAdmin = (): CatalogPrincipal => ({ accountId: newId(), role: 'admin' });

/**
 * A seller, a fresh category and N products, created through CatalogService (so each
 * product also has its `catalog.product.updated` outbox row). Every call makes new rows,
 * so several fixtures can share one database.
 *
 *   const { productIds: [id] } = await createCatalogFixture(t.ctx, { price: 2500 });
 */
export async function createCatalogFixture(ctx: AppContext, options: CatalogFixtureOptions = {}): Promise<CatalogFixture> {
  const { catalog } = ctx.services;
  const admin = fixtureAdmin();
  const suffix = newId().slice(-12);
  const seller = await catalog.createSeller(admin, {
    name: `Fixture seller ${suffix}`,
    kind: 'marketplace',
    ...(options.sellerAccountId ? { accountId: options.sellerAccountId } : {}),
  });
  if (options.sellerAccountId) await ctx.services.identity.setRole(options.sellerAccountId, 'seller');
  const category = await catalog.createCategory(admin, { name: `Fixture category ${suffix}`, slug: `fixture-${suffix}` });
  const productIds: string[] = [];
  for (let i = 1; i <= (options.products ?? 1); i++) {
    const product = await catalog.createProduct(admin, {
      sellerId: seller.id,
      title: `${options.titlePrefix ?? 'Fixture product'} ${i}`,
      categoryId: category.id,
      price: { amount: options.price ?? 1999, currency: options.currency ?? 'USD' },
      status: options.status ?? 'active',
      ...(options.purchaseLimit !== undefined ? { purchaseLimit: options.purchaseLimit } : {}),
    });
    productIds.push(product.id);
  }
  return { sellerId: seller.id, categoryId: category.id, productIds };
}
