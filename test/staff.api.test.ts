import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/app/worker.ts';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';
import { FAST_LIFECYCLE, orderDetail, placeOrder, reportStep, waitFor } from './helpers/lifecycle.ts';
import { createBuyer, createWarehouse, FAST_PAYMENTS, type Buyer } from './helpers/shop.ts';

describe.each(BACKENDS)('staff API: orders, shipments, products, dashboard (%s)', (backend) => {
  let t: TestApp;
  let worker: RunningWorker;
  let admin: Session;
  let customer: Session;
  let ada: Buyer;
  let bob: Buyer;
  let adaEmail: string;
  let warehouseId: string;
  let fixture: Awaited<ReturnType<typeof createCatalogFixture>>;
  const adaOrders: string[] = [];
  let bobOrder: string;

  const get = (url: string, session: Session | null = admin) => t.app.inject({ method: 'GET', url, headers: session ? session.auth : {} });

  beforeAll(async () => {
    t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, LOW_STOCK_THRESHOLD: '5' });
    worker = await startWorker(t.ctx, { simulateFulfillment: false });
    admin = await createAdminSession(t.ctx, t.app);
    customer = await registerCustomer(t.app);
    ada = await createBuyer(t.app);
    bob = await createBuyer(t.app);
    adaEmail = (await t.ctx.services.identity.getAccount(ada.accountId)).email;
    warehouseId = (await createWarehouse(t.ctx)).id;
    fixture = await createCatalogFixture(t.ctx, { products: 3, price: 2500, titlePrefix: 'Staff lamp' });
    for (const id of fixture.productIds) await t.ctx.services.inventory.setTotalStock(id, warehouseId, 50);
    adaOrders.push(await placeOrder(t.app, ada, [fixture.productIds[0]!]));
    adaOrders.push(await placeOrder(t.app, ada, [fixture.productIds[0]!, fixture.productIds[1]!]));
    bobOrder = await placeOrder(t.app, bob, [fixture.productIds[1]!]);
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  it('lists every order only for admins: 401 signed out, 403 for a customer', async () => {
    expect(errorCode(await get('/v1/admin/orders', null))).toBe('unauthenticated');
    expect(errorCode(await get('/v1/admin/orders', customer))).toBe('forbidden');
    expect(errorCode(await get(`/v1/admin/orders/${bobOrder}`, customer))).toBe('forbidden');
    expect(errorCode(await get('/v1/admin/dashboard', customer))).toBe('forbidden');
    expect(errorCode(await get('/v1/admin/shipments?tracking_number=ABCD1234', customer))).toBe('forbidden');
    expect(errorCode(await get('/v1/admin/products', customer))).toBe('forbidden');
  });

  it('filters by customer email (any case), status and order reference; an unknown email matches nothing', async () => {
    const byEmail = (await get(`/v1/admin/orders?customer_email=${encodeURIComponent(adaEmail.toUpperCase())}`)).json();
    expect(byEmail.orders.map((o: { id: string }) => o.id).sort()).toEqual([...adaOrders].sort());
    expect(byEmail.orders[0].customer.email).toBe(adaEmail);
    expect((await get('/v1/admin/orders?customer_email=nobody%40example.com')).json().orders).toEqual([]);
    const byRef = (await get(`/v1/admin/orders?order=${bobOrder.slice(-8).toUpperCase()}`)).json();
    expect(byRef.orders.map((o: { id: string }) => o.id)).toEqual([bobOrder]);
    expect((await get(`/v1/admin/orders?order=${bobOrder}`)).json().orders).toHaveLength(1);
    const dashes = await get(`/v1/admin/orders?order=${'-'.repeat(36)}`);
    expect(dashes.statusCode).toBe(200);
    expect(dashes.json().orders).toEqual([]);
    expect((await get('/v1/admin/orders?status=delivered')).json().orders).toEqual([]);
    expect((await get(`/v1/admin/orders?warehouse_id=${warehouseId}`)).json().orders).toHaveLength(3);
  });

  it('filters by day range and refuses a range that ends before it starts', async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await get(`/v1/admin/orders?from=${today}&to=${today}`)).json().orders).toHaveLength(3);
    expect((await get('/v1/admin/orders?to=2001-01-01')).json().orders).toEqual([]);
    const refused = await get('/v1/admin/orders?from=2026-02-02&to=2026-02-01');
    expect(refused.statusCode).toBe(400);
    expect(errorCode(refused)).toBe('invalid_date_range');
  });

  it('pages through all orders with the keyset cursor, newest first, none twice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { orders: { id: string; placed_at: string }[]; next_cursor: string | null } = (await get(`/v1/admin/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(3);
    expect(new Set(seen).size).toBe(3);
    expect(errorCode(await get('/v1/admin/orders?cursor=bm9wZQ'))).toBe('invalid_cursor');
  });

  it('shows any order to staff with its customer and payment', async () => {
    const detail = (await get(`/v1/admin/orders/${bobOrder}`)).json();
    expect(detail.order.id).toBe(bobOrder);
    expect(detail.customer.id).toBe(bob.accountId);
    expect(detail.payment).toMatchObject({ status: 'captured', amount: { amount: 2500, currency: 'USD' } });
    expect(detail.items[0].product_id).toBe(fixture.productIds[1]);
  });

  it('finds a shipment by its tracking number in any letter case', async () => {
    const [shipment] = (await waitFor(() => orderDetail(t.app, ada, adaOrders[0]!), (d) => d.shipments.length === 1, 'the shipment of the order')).shipments;
    for (const type of ['picked', 'packed']) expect((await reportStep(t.app, admin, shipment.id, { type })).statusCode).toBe(200);
    const shipped = await reportStep(t.app, admin, shipment.id, { type: 'shipped', carrier: 'parcelway-ground', tracking_number: 'PWStaff12345' });
    expect(shipped.statusCode, shipped.body).toBe(200);
    const found = (await get('/v1/admin/shipments?tracking_number=pwstaff12345')).json();
    expect(found.shipments).toHaveLength(1);
    expect(found.shipments[0]).toMatchObject({ id: shipment.id, order_id: adaOrders[0], status: 'shipped', tracking_number: 'PWStaff12345' });
    expect((await get('/v1/admin/shipments?tracking_number=NOPE0000')).json().shipments).toEqual([]);
  });

  it('lists products in any status with search; a seller sees only its own', async () => {
    await t.ctx.services.catalog.updateProduct({ accountId: admin.accountId, role: 'admin' } as never, fixture.productIds[2]!, { status: 'inactive' });
    const all = (await get(`/v1/admin/products?q=${encodeURIComponent('staff LAMP')}`)).json();
    expect(all.products.map((p: { id: string }) => p.id).sort()).toEqual([...fixture.productIds].sort());
    const inactive = (await get('/v1/admin/products?q=staff&status=inactive')).json();
    expect(inactive.products.map((p: { id: string }) => p.id)).toEqual([fixture.productIds[2]]);
    const page = (await get('/v1/admin/products?q=staff+lamp&limit=2')).json();
    expect(page.products).toHaveLength(2);
    const rest = (await get(`/v1/admin/products?q=staff+lamp&limit=2&cursor=${page.next_cursor}`)).json();
    expect(rest.products).toHaveLength(1);
    expect(rest.next_cursor).toBeNull();

    const sellerAccount = await registerCustomer(t.app, 'Seller');
    const own = await createCatalogFixture(t.ctx, { products: 1, sellerAccountId: sellerAccount.accountId, titlePrefix: 'Staff lamp of seller' });
    const mine = (await get('/v1/admin/products?q=staff+lamp', sellerAccount)).json();
    expect(mine.products.map((p: { id: string }) => p.id)).toEqual(own.productIds);
  });

  it('lists low stock fewest first, and the dashboard adds up the orders', async () => {
    await t.ctx.services.inventory.setTotalStock(fixture.productIds[2]!, warehouseId, 2);
    const low = (await get('/v1/admin/inventory/low-stock')).json();
    expect(low.threshold).toBe(5);
    expect(low.products[0]).toMatchObject({ product_id: fixture.productIds[2], available: 2, total_stock: 2, title: 'Staff lamp 3' });

    const dashboard = (await get('/v1/admin/dashboard?days=7')).json();
    expect(dashboard.days).toHaveLength(7);
    expect(dashboard.orders).toBe(3);
    expect(dashboard.revenue).toBe(4 * 2500);
    expect(dashboard.days.filter((d: { orders: number }) => d.orders > 0)).toEqual([expect.objectContaining({ orders: 3, revenue: 10_000, cancelled: 0 })]);
    expect(dashboard.average_order_value).toBe(Math.round(10_000 / 3));
    expect(dashboard.top_products[0]).toMatchObject({ units: 2, revenue: 5000 });
    expect(dashboard.low_stock.map((p: { product_id: string }) => p.product_id)).toContain(fixture.productIds[2]);
    expect(dashboard.consumers.map((c: { consumer: string }) => c.consumer)).toEqual(expect.arrayContaining([expect.stringMatching(/search|fulfillment/)]));

    const hourly = (await get('/v1/admin/dashboard?hours=24')).json();
    expect(hourly.bucket).toBe('hour');
    expect(hourly.days).toHaveLength(24);
    const sum = (days: { orders: number; revenue: number }[]) => days.reduce((t, d) => ({ orders: t.orders + d.orders, revenue: t.revenue + d.revenue }), { orders: 0, revenue: 0 });
    expect(sum(hourly.days)).toEqual({ orders: 3, revenue: 10_000 });
    expect(hourly.days.every((d: { day: string }) => /^\d{4}-\d\d-\d\dT\d\d:00$/.test(d.day))).toBe(true);
  });
});
