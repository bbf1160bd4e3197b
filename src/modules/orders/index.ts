import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_orders.ts';
import * as m0002 from './migrations/0002_packing.ts';
import * as m0003 from './migrations/0003_staff_lists.ts';

export { OrdersService, CANCELLABLE, orderNotFound, type StaffOrderFilter } from './orders.service.ts';
export type { NewOrder, Order, OrderDetail, OrderItem, OrderStatus, SalesFigures, ShippingAddressSnapshot, StatusChange } from './orders.types.ts';

export const ordersSchema: ModuleSchema = { module: 'orders', domain: 'orders', migrations: { '0001_orders': m0001, '0002_packing': m0002, '0003_staff_lists': m0003 } };
