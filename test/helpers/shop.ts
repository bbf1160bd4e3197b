import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AppContext } from '../../src/app/context.ts';
import { newId } from '../../src/platform/ids.ts';
import { registerCustomer, type Session, type TestApp } from './app.ts';
import { createCatalogFixture } from './catalog.ts';

/** Payment settings that make the sandbox's slow, flaky and dead cards quick to test. */
export const FAST_PAYMENTS = { PAYMENT_TIMEOUT_MS: '100', PAYMENT_MAX_ATTEMPTS: '4', PAYMENT_RETRY_BASE_MS: '5', SANDBOX_SLOW_MS: '250' };

/** An answer's body without the per-request id, for comparing replayed answers. */
export const withoutRequestId = (body: Record<string, any>) =>
  body.error ? { ...body, error: { ...body.error, request_id: undefined } } : body;

export interface Buyer extends Session {
  addressId: string;
  paymentMethodId: string;
}

/** Warehouses by ZIP: New Jersey near New York, and Los Angeles. */
export const WAREHOUSE_ZIPS = { east: '07094', west: '91761' } as const;

export async function createWarehouse(ctx: AppContext, postalCode: string = WAREHOUSE_ZIPS.east, processingSlaHours = 24) {
  const code = `WH-${newId().slice(-8)}`;
  return ctx.services.inventory.createWarehouse({ code, name: `Warehouse ${code}`, postalCode, country: 'US', processingSlaHours });
}

/** Active products with the given stock in one warehouse (or the given warehouses). */
export async function stockedProducts(
  ctx: AppContext,
  options: { products?: number; price?: number; stock?: number; warehouseIds?: string[]; purchaseLimit?: number | null } = {},
) {
  const fixture = await createCatalogFixture(ctx, {
    products: options.products ?? 1,
    price: options.price ?? 2500,
    ...(options.purchaseLimit !== undefined ? { purchaseLimit: options.purchaseLimit } : {}),
  });
  const warehouseIds = options.warehouseIds ?? [(await createWarehouse(ctx)).id];
  for (const productId of fixture.productIds) {
    for (const warehouseId of warehouseIds) await ctx.services.inventory.setTotalStock(productId, warehouseId, options.stock ?? 10);
  }
  return { ...fixture, warehouseIds };
}

/** A registered customer with a New York address and a saved payment method. */
export async function createBuyer(app: FastifyInstance, token = 'tok_visa', postalCode = '10001'): Promise<Buyer> {
  const session = await registerCustomer(app);
  const address = await app.inject({
    method: 'POST',
    url: '/v1/addresses',
    headers: session.auth,
    payload: { line1: '1 Main Street', city: 'New York', region: 'NY', postal_code: postalCode, country: 'US' },
  });
  const method = await app.inject({ method: 'POST', url: '/v1/payment-methods', headers: session.auth, payload: { token } });
  if (address.statusCode !== 201 || method.statusCode !== 201) throw new Error(`buyer setup failed: ${address.body} ${method.body}`);
  return { ...session, addressId: address.json().id, paymentMethodId: method.json().id };
}

export async function addToCart(app: FastifyInstance, buyer: Session, productId: string, quantity = 1) {
  const response = await app.inject({ method: 'POST', url: '/v1/cart/items', headers: buyer.auth, payload: { product_id: productId, quantity } });
  if (response.statusCode !== 201) throw new Error(`add to cart failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export function checkout(
  app: FastifyInstance,
  buyer: Buyer,
  key: string = newId(),
  extra: Record<string, unknown> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/v1/checkout',
    headers: { ...buyer.auth, 'idempotency-key': key },
    payload: { shipping_address_id: buyer.addressId, payment_method_id: buyer.paymentMethodId, ...extra },
  });
}

export async function stockRows(t: TestApp, productId: string) {
  return t.ctx.databases.inventory.selectFrom('stock_levels').selectAll().where('product_id', '=', productId).execute();
}

/** Invariant 1 on every stock row, plus reserved/sold agreeing with the reservations table. */
export async function assertStockInvariants(t: TestApp): Promise<void> {
  const rows = await t.ctx.databases.inventory.selectFrom('stock_levels').selectAll().execute();
  for (const r of rows) {
    if (r.reserved_stock < 0 || r.sold_stock < 0 || r.reserved_stock + r.sold_stock > r.total_stock) {
      throw new Error(`stock invariant broken: ${JSON.stringify(r)}`);
    }
  }
  const sums = await t.ctx.databases.inventory
    .selectFrom('reservations')
    .select(['product_id', 'warehouse_id', 'status', (eb) => eb.fn.sum<number>('quantity').as('units')])
    .groupBy(['product_id', 'warehouse_id', 'status'])
    .execute();
  for (const r of rows) {
    const units = (status: string) =>
      Number(sums.find((s) => s.product_id === r.product_id && s.warehouse_id === r.warehouse_id && s.status === status)?.units ?? 0);
    if (units('reserved') !== r.reserved_stock || units('confirmed') !== r.sold_stock) {
      throw new Error(`stock row disagrees with reservations: ${JSON.stringify(r)} reserved=${units('reserved')} confirmed=${units('confirmed')}`);
    }
  }
}

/** Invariant 4: every captured payment at the PSP has an order, and every order a captured payment. */
export async function assertMoneyMatchesOrders(t: TestApp): Promise<void> {
  const captured = await t.ctx.databases.orders
    .selectFrom('sandbox_psp_operations')
    .select(['idempotency_key', 'amount'])
    .where('operation', '=', 'authorize')
    .where('outcome', '=', 'captured')
    .execute();
  const orders = await t.ctx.databases.orders.selectFrom('orders').select(['id', 'total_amount', 'status', 'refund_status']).execute();
  const live = orders.filter((o) => o.status !== 'cancelled');
  const capturedIds = new Set(captured.map((c) => String(c.idempotency_key).replace(':authorize', '')));
  for (const order of live) {
    if (!capturedIds.has(order.id)) throw new Error(`order ${order.id} has no captured payment`);
  }
  const liveIds = new Set(live.map((o) => o.id));
  for (const id of capturedIds) {
    if (!liveIds.has(id)) throw new Error(`captured payment for ${id} has no live order`);
  }
}
