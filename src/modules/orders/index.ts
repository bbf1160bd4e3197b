import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_orders.ts';
import * as m0002 from './migrations/0002_packing.ts';

export { OrdersService, CANCELLABLE, orderNotFound } from './orders.service.ts';
export type { NewOrder, Order, OrderDetail, OrderItem, OrderStatus, ShippingAddressSnapshot, StatusChange } from './orders.types.ts';

export const ordersSchema: ModuleSchema = { module: 'orders', domain: 'orders', migrations: { '0001_orders': m0001, '0002_packing': m0002 } };
