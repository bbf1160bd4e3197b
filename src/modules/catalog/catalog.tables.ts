import type { ColumnType, Generated } from 'kysely';

export type SellerKind = 'first_party' | 'marketplace';
export type ProductStatus = 'active' | 'inactive' | 'suspended';

export interface SellersTable {
  id: string;
  name: string;
  kind: SellerKind;
  account_id: string | null;
  created_at: Generated<Date>;
}

export interface CategoriesTable {
  id: Generated<number>;
  parent_id: number | null;
  name: string;
  slug: string;
  /** Materialized slug path ('sports/running-shoes'): a subtree is `path = p or path like p || '/%'`. */
  path: string;
}

export interface ProductsTable {
  id: string;
  seller_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  category_id: number;
  brand: string | null;
  price_amount: number;
  currency: string;
  images: ColumnType<string[], string | undefined, string>;
  attributes: ColumnType<Record<string, string | number | boolean>, string | undefined, string>;
  /** numeric(2,1): drivers hand it back as a string. */
  avg_rating: ColumnType<string | number, number | undefined, number>;
  review_count: Generated<number>;
  status: ColumnType<ProductStatus, ProductStatus | undefined, ProductStatus>;
  purchase_limit: number | null;
  checkout_challenge: Generated<boolean>;
  /** The variation family this product is a child of, if any. */
  family_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Its value on each of the family's option axes ({} outside a family). */
  options: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: Date;
  updated_at: Date;
}

/** An option axis of a family, e.g. { name: 'size', values: ['S', 'M', 'L'] }. */
export interface OptionAxisColumn {
  name: string;
  values: string[];
}

export interface ProductFamiliesTable {
  id: string;
  seller_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  brand: string | null;
  category_id: number;
  images: ColumnType<string[], string | undefined, string>;
  axes: ColumnType<OptionAxisColumn[], string, string>;
  status: ColumnType<ProductStatus, ProductStatus | undefined, ProductStatus>;
  created_at: Date;
  updated_at: Date;
}

export interface CatalogTables {
  sellers: SellersTable;
  categories: CategoriesTable;
  products: ProductsTable;
  product_families: ProductFamiliesTable;
}
