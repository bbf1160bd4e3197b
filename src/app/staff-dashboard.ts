import type { Principal } from '../modules/identity/index.ts';
import type { AppContext } from './context.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const DASHBOARD_MAX_DAYS = 90;
export const DASHBOARD_MAX_HOURS = 168;

/** The dashboard's period: the last N UTC days up to today, or the last N hours up to this one. */
export type DashboardRange = { days: number } | { hours: number };

export interface DashboardFigures {
  from: string;
  to: string;
  bucket: 'day' | 'hour';
  currency: string;
  /** Every UTC day (or hour) of the range, oldest first, empty ones as zeros (for charts). */
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
  /** Events each consumer has still to handle, and the age of the oldest. */
  consumers: { consumer: string; pending: number; oldestAgeSeconds: number }[];
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const isoHour = (date: Date) => `${date.toISOString().slice(0, 13)}:00`;

function period(range: DashboardRange, now: Date) {
  if ('hours' in range) {
    const hours = Math.min(Math.max(Math.trunc(range.hours), 1), DASHBOARD_MAX_HOURS);
    const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
    return { bucket: 'hour' as const, count: hours, step: HOUR_MS, to, label: isoHour };
  }
  const days = Math.min(Math.max(Math.trunc(range.days), 1), DASHBOARD_MAX_DAYS);
  return { bucket: 'day' as const, count: days, step: DAY_MS, to: new Date(Date.parse(isoDay(now)) + DAY_MS), label: isoDay };
}

/** Lag is an operator's figure: the dashboard shows what it can, an unreadable bus is not a failed page. */
async function consumerLag(ctx: AppContext) {
  try {
    return (await ctx.events.lag()).map((l) => ({ consumer: l.consumer, pending: l.pending, oldestAgeSeconds: Math.round(l.oldestAgeSeconds) }));
  } catch (error) {
    ctx.logger.warn({ err: error }, 'consumer lag unavailable for the dashboard');
    return [];
  }
}

/**
 * The console's dashboard: each figure is computed by the module that owns its data (orders:
 * sales per bucket, average order value, best sellers; analytics: visits; inventory: low stock;
 * catalog: titles; events: consumer lag). Admins only (`forbidden` from the orders module otherwise).
 */
export async function dashboardFigures(ctx: AppContext, principal: Principal, options: { range: DashboardRange; now: Date; currency?: string }): Promise<DashboardFigures> {
  const { services } = ctx;
  const p = period(options.range, options.now);
  const from = new Date(p.to.getTime() - p.count * p.step);
  const sales = await services.orders.salesFigures(principal, { from, to: p.to, bucket: p.bucket, ...(options.currency ? { currency: options.currency } : {}) });
  const [visits, low, consumers] = await Promise.all([services.analytics.countVisitsWithProductView({ from, to: p.to }), services.inventory.listLowStock(undefined, 10), consumerLag(ctx)]);
  const titles = await services.catalog.findProducts(low.products.map((x) => x.productId));
  const byBucket = new Map(sales.days.map((d) => [d.day, d]));
  const every = Array.from({ length: p.count }, (_, i) => {
    const day = p.label(new Date(from.getTime() + i * p.step));
    return byBucket.get(day) ?? { day, orders: 0, cancelled: 0, revenue: 0 };
  });
  return {
    from: p.label(from),
    to: p.label(new Date(p.to.getTime() - p.step)),
    bucket: p.bucket,
    currency: sales.currency,
    days: every,
    orders: sales.orders,
    cancelled: sales.cancelled,
    revenue: sales.revenue,
    averageOrderValue: sales.averageOrderValue,
    visitsWithProductView: visits.visits,
    conversionRate: visits.visits > 0 ? (sales.orders - sales.cancelled) / visits.visits : null,
    topProducts: sales.topProducts,
    lowStock: low.products.map((x) => ({ productId: x.productId, title: titles.get(x.productId)?.title ?? null, available: x.available })),
    lowStockThreshold: low.threshold,
    consumers,
  };
}
