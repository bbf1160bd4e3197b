import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_inventory.ts';

export { InventoryService, MAX_TOTAL_STOCK, type InventoryOptions } from './inventory.service.ts';
export type { InventoryTables } from './inventory.tables.ts';
export type {
  Availability,
  ImportedStock,
  ImportedWarehouse,
  LowStockProduct,
  NewWarehouse,
  ProductAvailability,
  Reservation,
  ReservationStatus,
  ReserveLine,
  ReserveRequest,
  StockLevel,
  Warehouse,
} from './inventory.types.ts';

export const inventorySchema: ModuleSchema = { module: 'inventory', domain: 'inventory', migrations: { '0001_inventory': m0001 } };
