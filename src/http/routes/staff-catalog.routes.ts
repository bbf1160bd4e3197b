import { Type } from 'typebox';
import { dashboardFigures, DASHBOARD_MAX_DAYS, DASHBOARD_MAX_HOURS } from '../../app/staff-dashboard.ts';
import { CURRENCY_PATTERN } from '../../modules/catalog/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { PageQuery, responses, Uuid } from '../schemas/common.ts';
import { ProductStatusSchema } from '../schemas/catalog.ts';
import type { RoutesPlugin } from '../types.ts';
import { AdminProduct, presentAdminProduct } from './catalog-admin.routes.ts';

const NextCursor = Type.Union([Type.String(), Type.Null()]);

/** The console's products table filters, shared with its page. */
export const StaffProductsQuery = Type.Object(
  {
    ...PageQuery,
    q: Type.Optional(Type.String({ maxLength: 200, description: 'Words the title, brand or id contains' })),
    status: Type.Optional(ProductStatusSchema),
    seller_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

const Dashboard = Type.Object({
  from: Type.String({ description: 'First bucket: YYYY-MM-DD, or YYYY-MM-DDTHH:00 per hour (UTC)' }),
  to: Type.String({ description: 'Last bucket, inclusive' }),
  bucket: Type.Union([Type.Literal('day'), Type.Literal('hour')]),
  currency: Type.String(),
  days: Type.Array(Type.Object({ day: Type.String({ description: 'The bucket: YYYY-MM-DD or YYYY-MM-DDTHH:00' }), orders: Type.Integer(), cancelled: Type.Integer(), revenue: Type.Integer() }), {
    description: 'Every bucket of the period, oldest first, empty ones as zeros',
  }),
  orders: Type.Integer(),
  cancelled: Type.Integer(),
  revenue: Type.Integer({ description: 'Totals of orders not cancelled, minor units' }),
  average_order_value: Type.Integer(),
  visits_with_product_view: Type.Integer(),
  conversion_rate: Type.Union([Type.Number(), Type.Null()], { description: 'Orders (not cancelled) per visit with a product view' }),
  top_products: Type.Array(Type.Object({ product_id: Uuid, title: Type.String(), units: Type.Integer(), revenue: Type.Integer() })),
  low_stock: Type.Array(Type.Object({ product_id: Uuid, title: Type.Union([Type.String(), Type.Null()]), available: Type.Integer() })),
  low_stock_threshold: Type.Integer(),
  consumers: Type.Array(Type.Object({ consumer: Type.String(), pending: Type.Integer(), oldest_age_seconds: Type.Integer() }), { description: 'Event consumer lag' }),
});

export const staffCatalogRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { catalog, inventory } = ctx.services;
  const schema = { tags: ['staff'], security: bearerSecurity };

  app.get(
    '/v1/admin/products',
    {
      preHandler: requireAuth('seller', 'admin'),
      schema: {
        ...schema,
        operationId: 'listAdminProducts',
        summary: 'Products in any status, newest first, with search and status filter (admin: all; seller: its own)',
        querystring: StaffProductsQuery,
        response: responses({ 200: Type.Object({ products: Type.Array(AdminProduct), next_cursor: NextCursor }) }, { 400: ['invalid_cursor'], 401: ['unauthenticated'], 403: ['forbidden'] }),
      },
    },
    async (request) => {
      const q = request.query;
      const page = await catalog.listProductsForStaff(principalOf(request), {
        limit: q.limit ?? 20,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
        ...(q.q ? { q: q.q } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.seller_id ? { sellerId: q.seller_id } : {}),
      });
      return { products: page.products.map(presentAdminProduct), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/admin/inventory/low-stock',
    {
      preHandler: requireAuth('admin'),
      schema: {
        ...schema,
        operationId: 'listLowStock',
        summary: 'Products at or below the low-stock threshold (LOW_STOCK_THRESHOLD), fewest sellable units first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: responses(
          {
            200: Type.Object({
              threshold: Type.Integer(),
              products: Type.Array(Type.Object({ product_id: Uuid, title: Type.Union([Type.String(), Type.Null()]), available: Type.Integer(), total_stock: Type.Integer(), reserved_stock: Type.Integer(), sold_stock: Type.Integer() })),
              next_cursor: NextCursor,
            }),
          },
          { 400: ['invalid_cursor'], 401: ['unauthenticated'], 403: ['forbidden'] },
        ),
      },
    },
    async (request) => {
      const page = await inventory.listLowStock(request.query.cursor, request.query.limit ?? 20);
      const products = await catalog.findProducts(page.products.map((p) => p.productId));
      return {
        threshold: page.threshold,
        products: page.products.map((p) => ({ product_id: p.productId, title: products.get(p.productId)?.title ?? null, available: p.available, total_stock: p.total, reserved_stock: p.reserved, sold_stock: p.sold })),
        next_cursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/admin/dashboard',
    {
      preHandler: requireAuth('admin'),
      schema: {
        ...schema,
        operationId: 'getDashboard',
        summary: 'Business figures of the last days (or hours): orders and revenue per day (or hour), average order value, conversion, best sellers, low stock, event consumer lag',
        querystring: Type.Object(
          {
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: DASHBOARD_MAX_DAYS, default: 14, description: 'UTC days up to today' })),
            hours: Type.Optional(Type.Integer({ minimum: 1, maximum: DASHBOARD_MAX_HOURS, description: 'Instead of days: hourly buckets, the last N hours up to this one' })),
            currency: Type.Optional(Type.String({ pattern: CURRENCY_PATTERN, description: 'Default: the currency most orders used' })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Dashboard }, { 401: ['unauthenticated'], 403: ['forbidden'] }),
      },
    },
    async (request) => {
      const q = request.query;
      const range = q.hours !== undefined ? { hours: q.hours } : { days: q.days ?? 14 };
      const f = await dashboardFigures(ctx, principalOf(request), { range, now: ctx.clock.now(), ...(q.currency ? { currency: q.currency } : {}) });
      return {
        from: f.from,
        to: f.to,
        bucket: f.bucket,
        currency: f.currency,
        days: f.days,
        orders: f.orders,
        cancelled: f.cancelled,
        revenue: f.revenue,
        average_order_value: f.averageOrderValue,
        visits_with_product_view: f.visitsWithProductView,
        conversion_rate: f.conversionRate,
        top_products: f.topProducts.map((p) => ({ product_id: p.productId, title: p.title, units: p.units, revenue: p.revenue })),
        low_stock: f.lowStock.map((p) => ({ product_id: p.productId, title: p.title, available: p.available })),
        low_stock_threshold: f.lowStockThreshold,
        consumers: f.consumers.map((c) => ({ consumer: c.consumer, pending: c.pending, oldest_age_seconds: c.oldestAgeSeconds })),
      };
    },
  );
};
