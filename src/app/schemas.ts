import type { ModuleSchema } from '../platform/migrations.ts';
import { eventsSchema } from '../modules/events/index.ts';
import { identitySchema } from '../modules/identity/index.ts';
import { catalogSchema } from '../modules/catalog/index.ts';
import { cartSchema } from '../modules/cart/index.ts';
import { searchSchema } from '../modules/search/index.ts';
import { inventorySchema } from '../modules/inventory/index.ts';
import { paymentsSchema } from '../modules/payments/index.ts';
import { ordersSchema } from '../modules/orders/index.ts';
import { checkoutSchema } from '../modules/checkout/index.ts';
import { fulfillmentSchema } from '../modules/fulfillment/index.ts';
import { notificationsSchema } from '../modules/notifications/index.ts';
import { analyticsSchema } from '../modules/analytics/index.ts';

/** Every module's tables, applied by `bazaar migrate` and on start. */
export const MODULE_SCHEMAS: readonly ModuleSchema[] = [
  eventsSchema,
  identitySchema,
  catalogSchema,
  cartSchema,
  searchSchema,
  inventorySchema,
  paymentsSchema,
  ordersSchema,
  checkoutSchema,
  fulfillmentSchema,
  notificationsSchema,
  analyticsSchema,
];
