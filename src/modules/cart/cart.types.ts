/** Whoever is signed in; structurally the identity module's Principal, of which the cart needs only the id. */
export interface Customer {
  accountId: string;
}

export interface Money {
  amount: number;
  currency: string;
}

/** What the cart needs to know about a product; the composition root feeds it from the catalog. */
export interface CartProduct {
  id: string;
  title: string;
  brand: string | null;
  sellerId: string;
  price: Money;
  images: string[];
  status: 'active' | 'inactive' | 'suspended';
  /** Largest quantity one customer may buy at once; null = no product-specific limit. */
  purchaseLimit: number | null;
}

/**
 * Port to the catalog. Returns the products that exist among `ids` (unknown ids are
 * simply absent from the map). Must read current prices: they become the cart's unit prices.
 */
export interface ProductSource {
  findProducts(ids: string[]): Promise<Map<string, CartProduct>>;
}

export interface CartOptions {
  /** Distinct products one cart may hold. */
  maxLines: number;
  /** Largest quantity of one product in a line. */
  maxQuantity: number;
  /** A cart not changed for this many days is gone. */
  expiryDays: number;
}

export interface ProductSnapshot {
  title: string;
  brand: string | null;
  image: string | null;
  sellerId: string;
}

export interface CartLine {
  productId: string;
  quantity: number;
  /** Catalog price when the line was last added to or changed; checkout re-prices from the catalog. */
  unitPrice: Money;
  lineTotal: Money;
  snapshot: ProductSnapshot;
  addedAt: Date;
  updatedAt: Date;
}

/**
 * A customer's cart. An empty cart has no currency (`currency` and `subtotal.currency` are
 * null) and, if it was never written, no `updatedAt`.
 */
export interface Cart {
  customerId: string;
  currency: string | null;
  items: CartLine[];
  subtotal: { amount: number; currency: string | null };
  /** Total units over all lines. */
  itemCount: number;
  updatedAt: Date | null;
}

export interface NewCartItem {
  productId: string;
  quantity: number;
}
