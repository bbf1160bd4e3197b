import type { Generated } from 'kysely';

/** The product as it looked when it was put in the cart (shown without asking the catalog again). */
export interface SnapshotJson {
  title: string;
  brand: string | null;
  image: string | null;
  seller_id: string;
}

export interface CartsTable {
  customer_id: string;
  currency: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CartItemsTable {
  customer_id: string;
  product_id: string;
  quantity: number;
  unit_price_amount: number;
  currency: string;
  /** Written as JSON text, read back as an object. */
  product_snapshot: SnapshotJson | string;
  added_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CartTables {
  carts: CartsTable;
  cart_items: CartItemsTable;
}
