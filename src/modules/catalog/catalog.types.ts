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
  /** The variation family this product is a child of (null: a product on its own). */
  familyId: string | null;
  /** Its value on every axis of its family ({} outside a family). */
  options: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** One dimension along which the children of a family differ, with its values in display order. */
export interface OptionAxis {
  name: string;
  values: string[];
}

/**
 * A variation family: the shared title, description, brand, category and images of child
 * products that differ only by the option axes (size, colour…). Each child stays a product
 * with its own id, price, stock and availability.
 */
export interface ProductFamily {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  brand: string | null;
  categoryId: number;
  images: string[];
  axes: OptionAxis[];
  status: ProductStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** A family with its children (in any status; callers filter for display). */
export interface FamilyDetail extends ProductFamily {
  variants: Product[];
}

export interface NewFamilyInput {
  /** Required for admins; a seller account may omit it (its own seller). */
  sellerId?: string;
  title: string;
  description?: string;
  brand?: string | null;
  categoryId: number;
  images?: string[];
  axes: OptionAxis[];
  status?: ProductStatus;
}

/**
 * A change to a family. Axes may gain values at any time; a value or an axis can be removed
 * only while no child uses it, and an axis can be added only while the family has no children.
 */
export interface FamilyPatch {
  title?: string;
  description?: string;
  brand?: string | null;
  categoryId?: number;
  images?: string[];
  axes?: OptionAxis[];
  status?: ProductStatus;
}

export interface FamilyPage {
  families: ProductFamily[];
  nextCursor: string | null;
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
  /** Makes the product a child of this family (same seller); `options` must then name a value on every axis. */
  familyId?: string | null;
  options?: Record<string, string>;
  /** Average star rating, 1 to 5 when there are reviews, 0 without (kept to one decimal). */
  avgRating?: number;
  /** How many reviews the rating averages; 0 = none yet. */
  reviewCount?: number;
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
  /** null takes the product out of its family (and clears its options). */
  familyId?: string | null;
  options?: Record<string, string>;
  /** With `reviewCount`, or alone against the current count: 1 to 5 with reviews, 0 without. */
  avgRating?: number;
  reviewCount?: number;
}

export interface ProductPage {
  products: Product[];
  /** Opaque; null on the last page. */
  nextCursor: string | null;
}

/** Rows for `importCatalog` (the seeder). Ids are chosen by the caller so rows can reference each other. */
export interface NewFamilyRow extends NewFamilyInput {
  id: string;
  sellerId: string;
  createdAt?: Date;
}

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
  families: number;
  products: number;
}

/** A committed catalog change. The outbox event is the reliable record; this is the fast path. */
export type CatalogChange =
  | {
      kind: 'product';
      productId: string;
      change: 'created' | 'updated' | 'status_changed';
      categoryId: number;
      familyId: string | null;
      previousCategoryId?: number;
      previousFamilyId?: string | null;
    }
  | { kind: 'category'; categoryId: number }
  | { kind: 'family'; familyId: string };

export interface CatalogChangeListener {
  /** Must not throw; a failure here is repaired by the event consumer. */
  catalogChanged(change: CatalogChange): Promise<void>;
}
