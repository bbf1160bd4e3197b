import type { Generated } from 'kysely';
import type { ReservationStatus } from './inventory.types.ts';

export interface WarehousesTable {
  id: string;
  code: string;
  name: string;
  postal_code: string;
  /** char(2): PostgreSQL pads it, so it is trimmed when read. */
  country: string;
  latitude: number;
  longitude: number;
  processing_sla_hours: number;
  active: boolean;
  created_at: Generated<Date>;
}

/**
 * One row per (product, warehouse). CHECK constraints keep 0 ≤ reserved, 0 ≤ sold and
 * reserved + sold ≤ total (invariant 1) whatever the application does.
 */
export interface StockLevelsTable {
  product_id: string;
  warehouse_id: string;
  total_stock: number;
  reserved_stock: number;
  sold_stock: number;
  updated_at: Date;
}

export interface ReservationsTable {
  id: string;
  checkout_id: string;
  product_id: string;
  warehouse_id: string;
  quantity: number;
  status: ReservationStatus;
  /** Where the order ships to, so a reservation lost to its TTL can be re-made by the same rules. */
  destination_latitude: number;
  destination_longitude: number;
  /**
   * Set on an expired reservation once its units were reserved again for the same
   * checkout (the id of the first new reservation); null while it may still be re-made.
   */
  replaced_by: string | null;
  expires_at: Date;
  created_at: Date;
  updated_at: Date;
}

export interface InventoryTables {
  warehouses: WarehousesTable;
  stock_levels: StockLevelsTable;
  reservations: ReservationsTable;
}
