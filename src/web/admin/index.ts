import type { WebPages } from '../index.ts';
import { registerAdminDashboardPage } from './dashboard.page.tsx';
import { registerAdminInventoryPage } from './inventory.page.tsx';
import { registerAdminOrderPages } from './orders.page.tsx';
import { registerAdminProductPages } from './products.page.tsx';
import { registerAdminShipmentsPage } from './shipments.page.tsx';
import { registerAdminSignInPage } from './sign-in.page.tsx';
import { registerAdminWarehousesPage } from './warehouses.page.tsx';

/**
 * The admin console under /admin: staff pages in the storefront's web scope (same cookie
 * session, CSRF checks, error pages), every one private (no-store) and gated by role.
 */
export const ADMIN_PAGES: WebPages[] = [
  registerAdminSignInPage,
  registerAdminDashboardPage,
  registerAdminOrderPages,
  registerAdminShipmentsPage,
  registerAdminProductPages,
  registerAdminInventoryPage,
  registerAdminWarehousesPage,
];
