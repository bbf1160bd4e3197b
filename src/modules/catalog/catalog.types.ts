import type { ProductStatus, SellerKind } from './catalog.tables.ts';

export type { ProductStatus, SellerKind };

/**
 * Who is acting. Structurally the identity module's `Principal`; declared here so catalog
 * does not import another module.
 */
export interface CatalogPrincipal {
  accountId: string;
  role: 'customer' | 'seller' | 'admin';
}

export type AttributeValue = string | number | boolean;

export interface Money {
  /** Integer minor units (cents). */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
}

export interface Product {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  categoryId: number;
  brand: string | null;
  price: Money;
  images: string[];
  attributes: Record<string, AttributeValue>;
  avgRating: number;
  reviewCount: number;
  status: ProductStatus;
  /** Most units one customer may buy per day; null means the platform default. */
  purchaseLimit: number | null;
  /** Buyers must pass a human check (CAPTCHA) to check out with it, e.g. during a flash sale. */
  checkoutChallenge: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Seller {
  id: string;
  name: string;
  kind: SellerKind;
  accountId: string | null;
  createdAt: Date;
}

export interface Category {
  id: number;
  parentId: number | null;
  name: string;
  slug: string;
  path: string;
}

export interface CategoryNode extends Category {
  children: CategoryNode[];
}

export interface NewProductInput {
  /** Required for admins; a seller account may omit it (its own seller) or give its own id. */
  sellerId?: string;
  title: string;
  description?: string;
  categoryId: number;
  brand?: string | null;
  price: Money;
  images?: string[];
  attributes?: Record<string, AttributeValue>;
  status?: ProductStatus;
  purchaseLimit?: number | null;
  checkoutChallenge?: boolean;
}

export interface ProductPatch {
  title?: string;
  description?: string;
  brand?: string | null;
  categoryId?: number;
  price?: Money;
  images?: string[];
  attributes?: Record<string, AttributeValue>;
  status?: ProductStatus;
  /** null resets to the platform default. */
  purchaseLimit?: number | null;
  checkoutChallenge?: boolean;
}

export interface ProductPage {
  products: Product[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/** Rows for `importCatalog` (the seeder). Ids are chosen by the caller so rows can reference each other. */
export interface NewSellerRow {
  id: string;
  name: string;
  kind: SellerKind;
  accountId?: string | null;
}

export interface NewCategoryRow {
  /** Explicit id; the id sequence is moved past the largest imported one. */
  id: number;
  /** An existing category or one earlier in the same batch. */
  parentId?: number | null;
  name: string;
  slug: string;
}

/** A product as the seeder imports it: the write input plus what only imports may set. */
export interface NewProductRow extends NewProductInput {
  id?: string;
  sellerId: string;
  avgRating?: number;
  reviewCount?: number;
  createdAt?: Date;
}

export interface ImportResult {
  sellers: number;
  categories: number;
  products: number;
}
