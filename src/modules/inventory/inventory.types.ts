/** What the storefront shows for a product: derived from the sellable units over active warehouses. */
export type Availability = 'in_stock' | 'low_stock' | 'out_of_stock';

/** Approximate, display-grade availability of one product. */
export interface ProductAvailability {
  status: Availability;
  /** Sellable units (total − reserved − sold) summed over active warehouses, never negative. */
  available: number;
}

/**
 * reserved → confirmed | released | expired; confirmed → released (order cancelled, units
 * back to stock). Every transition happens at most once per reservation.
 */
export type ReservationStatus = 'reserved' | 'confirmed' | 'released' | 'expired';

export interface Warehouse {
  id: string;
  code: string;
  name: string;
  postalCode: string;
  country: string;
  latitude: number;
  longitude: number;
  processingSlaHours: number;
  active: boolean;
}

export interface StockLevel {
  productId: string;
  warehouseId: string;
  warehouseCode: string;
  totalStock: number;
  reservedStock: number;
  soldStock: number;
  /** totalStock − reservedStock − soldStock. */
  available: number;
}

export interface Reservation {
  id: string;
  checkoutId: string;
  productId: string;
  warehouseId: string;
  quantity: number;
  status: ReservationStatus;
  expiresAt: Date;
  /** Where the units ship from, when the call that made the reservation read it anyway. */
  warehouse?: WarehouseSite;
}

export interface WarehouseSite {
  latitude: number;
  longitude: number;
  processingSlaHours: number;
}

export interface ReserveLine {
  productId: string;
  quantity: number;
}

export interface ReserveRequest {
  /** The checkout (and later order) the units are held for; reservations are keyed by it. */
  checkoutId: string;
  lines: ReserveLine[];
  /** Shipping destination: the nearest warehouses are preferred. */
  destination: { latitude: number; longitude: number };
  /** Defaults to the service's reservationTtlSeconds. */
  ttlSeconds?: number;
  /**
   * The caller's first and only reserve for this checkout (the saga reserves once, from the
   * process that created the checkout): skips looking for what it already holds. Without it
   * the call is idempotent and completes a partial earlier call.
   */
  first?: boolean;
}

export interface NewWarehouse {
  code: string;
  name: string;
  postalCode: string;
  country: string;
  processingSlaHours?: number;
}

/** A warehouse row for the seeder's bulk import (country defaults to US). */
export interface ImportedWarehouse {
  id: string;
  code: string;
  name: string;
  postalCode: string;
  country?: string;
  processingSlaHours?: number;
}

export interface ImportedStock {
  productId: string;
  warehouseId: string;
  totalStock: number;
}

/** A product running out, summed over active warehouses. */
export interface LowStockProduct {
  productId: string;
  available: number;
  total: number;
  reserved: number;
  sold: number;
}
