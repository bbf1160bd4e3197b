import type { Principal } from '../modules/identity/index.ts';
import type { Services } from './context.ts';

const DAY_MS = 86_400_000;
export const DASHBOARD_MAX_DAYS = 90;

export interface DashboardFigures {
  from: string;
  to: string;
  currency: string;
  /** Every UTC day of the range, oldest first, days without orders as zeros (for charts). */
  days: { day: string; orders: number; cancelled: number; revenue: number }[];
  orders: number;
  cancelled: number;
  revenue: number;
  averageOrderValue: number;
  /** Storefront visits that viewed a product, and orders per such visit. */
  visitsWithProductView: number;
  conversionRate: number | null;
  topProducts: { productId: string; title: string; units: number; revenue: number }[];
  lowStock: { productId: string; title: string | null; available: number }[];
  lowStockThreshold: number;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The console's dashboard: each figure is computed by the module that owns its data (orders:
 * sales per day, average order value, best sellers; analytics: visits; inventory: low stock;
 * catalog: titles). Admins only (`forbidden` from the orders module otherwise).
 */
export async function dashboardFigures(services: Services, principal: Principal, options: { days: number; now: Date; currency?: string }): Promise<DashboardFigures> {
  const days = Math.min(Math.max(Math.trunc(options.days), 1), DASHBOARD_MAX_DAYS);
  const to = new Date(Date.parse(isoDay(options.now)) + DAY_MS);
  const from = new Date(to.getTime() - days * DAY_MS);
  const sales = await services.orders.salesFigures(principal, { from, to, ...(options.currency ? { currency: options.currency } : {}) });
  const [visits, low] = await Promise.all([services.analytics.countVisitsWithProductView({ from, to }), services.inventory.listLowStock(undefined, 10)]);
  const titles = await services.catalog.findProducts(low.products.map((p) => p.productId));
  const byDay = new Map(sales.days.map((d) => [d.day, d]));
  const everyDay = Array.from({ length: days }, (_, i) => {
    const day = isoDay(new Date(from.getTime() + i * DAY_MS));
    return byDay.get(day) ?? { day, orders: 0, cancelled: 0, revenue: 0 };
  });
  return {
    from: isoDay(from),
    to: isoDay(new Date(to.getTime() - DAY_MS)),
    currency: sales.currency,
    days: everyDay,
    orders: sales.orders,
    cancelled: sales.cancelled,
    revenue: sales.revenue,
    averageOrderValue: sales.averageOrderValue,
    visitsWithProductView: visits.visits,
    conversionRate: visits.visits > 0 ? (sales.orders - sales.cancelled) / visits.visits : null,
    topProducts: sales.topProducts,
    lowStock: low.products.map((p) => ({ productId: p.productId, title: titles.get(p.productId)?.title ?? null, available: p.available })),
    lowStockThreshold: low.threshold,
  };
}
