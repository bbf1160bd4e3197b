import type { AppContext } from '../../app/context.ts';
import type { FastifyTypebox } from '../types.ts';
import { addressRoutes } from './addresses.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { cartRoutes } from './cart.routes.ts';
import { catalogAdminRoutes } from './catalog-admin.routes.ts';
import { catalogImportRoutes } from './catalog-import.routes.ts';
import { imageRoutes } from './images.routes.ts';
import { productRoutes } from './products.routes.ts';
import { searchRoutes } from './search.routes.ts';
import { systemRoutes } from './system.routes.ts';
import { inventoryAdminRoutes } from './inventory-admin.routes.ts';
import { paymentMethodRoutes } from './payment-methods.routes.ts';
import { checkoutRoutes } from './checkout.routes.ts';
import { orderRoutes } from './orders.routes.ts';
import { fulfillmentRoutes } from './fulfillment.routes.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { familyRoutes } from './families.routes.ts';
import { familyAdminRoutes } from './family-admin.routes.ts';
import { staffRoutes } from './staff.routes.ts';
import { staffCatalogRoutes } from './staff-catalog.routes.ts';

const ROUTES = [systemRoutes, authRoutes, addressRoutes, imageRoutes, productRoutes, familyRoutes, catalogAdminRoutes, catalogImportRoutes, familyAdminRoutes, cartRoutes, searchRoutes, inventoryAdminRoutes, paymentMethodRoutes, checkoutRoutes, orderRoutes, fulfillmentRoutes, notificationRoutes, staffRoutes, staffCatalogRoutes];

export function registerRoutes(ctx: AppContext) {
  return async (app: FastifyTypebox) => {
    for (const routes of ROUTES) await app.register(routes(ctx));
  };
}
