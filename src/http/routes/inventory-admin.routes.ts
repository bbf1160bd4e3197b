import { Type } from 'typebox';
import { MAX_TOTAL_STOCK, type StockLevel, type Warehouse } from '../../modules/inventory/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { responses, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

/** A new warehouse (the console's form uses the same schema). */
export const NewWarehouseBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{2,32}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    postal_code: Type.String({ minLength: 3, maxLength: 12 }),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2' }),
    processing_sla_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  },
  { additionalProperties: false, examples: [{ code: 'NJ-1', name: 'Secaucus, New Jersey', postal_code: '07094', country: 'US', processing_sla_hours: 24 }] },
);

const WarehouseSchema = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  postal_code: Type.String(),
  country: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  processing_sla_hours: Type.Integer(),
  active: Type.Boolean(),
});

const StockSchema = Type.Object({
  product_id: Uuid,
  warehouses: Type.Array(
    Type.Object({
      warehouse_id: Uuid,
      warehouse_code: Type.String(),
      total_stock: Type.Integer(),
      reserved_stock: Type.Integer(),
      sold_stock: Type.Integer(),
      available: Type.Integer(),
    }),
  ),
  available: Type.Integer(),
  availability: Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock')]),
});

const presentWarehouse = (w: Warehouse) => ({
  id: w.id,
  code: w.code,
  name: w.name,
  postal_code: w.postalCode,
  country: w.country,
  latitude: w.latitude,
  longitude: w.longitude,
  processing_sla_hours: w.processingSlaHours,
  active: w.active,
});

export const inventoryAdminRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { inventory, catalog } = ctx.services;
  const admin = { preHandler: requireAuth('admin'), schema: { tags: ['inventory'], security: bearerSecurity } };
  const sellerOrAdmin = { preHandler: requireAuth('seller', 'admin'), schema: { tags: ['inventory'], security: bearerSecurity } };

  const presentStock = (productId: string, rows: StockLevel[]) => {
    const available = rows.reduce((sum, r) => sum + r.available, 0);
    return {
      product_id: productId,
      warehouses: rows.map((r) => ({
        warehouse_id: r.warehouseId,
        warehouse_code: r.warehouseCode,
        total_stock: r.totalStock,
        reserved_stock: r.reservedStock,
        sold_stock: r.soldStock,
        available: r.available,
      })),
      available,
      availability: inventory.describe(available).status,
    };
  };

  app.post(
    '/v1/admin/warehouses',
    {
      ...admin,
      schema: {
        ...admin.schema,
        operationId: 'createWarehouse',
        summary: 'Add a warehouse; its location comes from the postal code',
        body: NewWarehouseBody,
        response: responses(
          { 201: WarehouseSchema },
          { 400: ['invalid_processing_sla'], 401: ['unauthenticated'], 403: ['forbidden'], 409: ['warehouse_code_taken'], 422: ['unknown_postal_code', 'unsupported_country'] },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const warehouse = await inventory.createWarehouse({
        code: b.code,
        name: b.name,
        postalCode: b.postal_code,
        country: b.country,
        ...(b.processing_sla_hours !== undefined ? { processingSlaHours: b.processing_sla_hours } : {}),
      });
      return reply.status(201).send(presentWarehouse(warehouse));
    },
  );

  app.get(
    '/v1/admin/warehouses',
    { ...admin, schema: { ...admin.schema, operationId: 'listWarehouses', summary: 'All warehouses', response: responses({ 200: Type.Object({ warehouses: Type.Array(WarehouseSchema) }) }, [401, 403]) } },
    async () => ({ warehouses: (await inventory.listWarehouses()).map(presentWarehouse) }),
  );

  // Sellers manage stock of their own products only; the catalog owns that answer (404 unknown, 403 not yours).
  app.put(
    '/v1/admin/inventory/:product_id/warehouses/:warehouse_id',
    {
      ...sellerOrAdmin,
      schema: {
        ...sellerOrAdmin.schema,
        operationId: 'setStock',
        summary: 'Set the total units of a product in a warehouse (never below what is reserved or sold)',
        params: Type.Object({ product_id: Uuid, warehouse_id: Uuid }),
        body: Type.Object({ total_stock: Type.Integer({ minimum: 0, maximum: MAX_TOTAL_STOCK }) }, { additionalProperties: false, examples: [{ total_stock: 120 }] }),
        response: responses(
          { 200: StockSchema },
          { 400: ['invalid_stock'], 401: ['unauthenticated'], 403: ['forbidden'], 404: ['product_not_found', 'warehouse_not_found'], 409: ['stock_below_committed'] },
        ),
      },
    },
    async (request) => {
      const { product_id: productId, warehouse_id: warehouseId } = request.params;
      await catalog.assertCanManageProduct(principalOf(request), productId);
      await inventory.setTotalStock(productId, warehouseId, request.body.total_stock);
      return presentStock(productId, await inventory.getStock(productId));
    },
  );

  app.get(
    '/v1/admin/inventory/:product_id',
    {
      ...sellerOrAdmin,
      schema: {
        ...sellerOrAdmin.schema,
        operationId: 'getStock',
        summary: 'Stock of a product across warehouses',
        params: Type.Object({ product_id: Uuid }),
        response: responses({ 200: StockSchema }, { 401: ['unauthenticated'], 403: ['forbidden'], 404: ['product_not_found'] }),
      },
    },
    async (request) => {
      await catalog.assertCanManageProduct(principalOf(request), request.params.product_id);
      return presentStock(request.params.product_id, await inventory.getStock(request.params.product_id));
    },
  );
};
