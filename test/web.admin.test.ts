import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/app/worker.ts';
import { createTestApp, registerCustomer, uniqueEmail, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';
import { FAST_LIFECYCLE, placeOrder, waitFor } from './helpers/lifecycle.ts';
import { createBuyer, createWarehouse, FAST_PAYMENTS, type Buyer } from './helpers/shop.ts';
import { SAME_ORIGIN, signUpInBrowser, webClient, type WebClient } from './helpers/web.ts';

const PASSWORD = 'staff password 1';
const CROSS_SITE = { 'sec-fetch-site': 'cross-site' };
/** Every console page a signed-out or customer browser must not see. */
const ADMIN_PAGES = ['/admin', '/admin/orders', '/admin/shipments?tracking_number=ABCD1234', '/admin/products', '/admin/products/new', '/admin/inventory', '/admin/warehouses'];

/** A multipart/form-data body with text fields and one file, as a browser sends it. */
function multipart(fields: Record<string, string>, file?: { name: string; filename: string; type: string; bytes: Buffer }) {
  const boundary = `----bazaar${Date.now().toString(16)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\ncontent-type: ${file.type}\r\n\r\n`), file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(BACKENDS)('admin console over HTTP (%s)', (backend) => {
  let t: TestApp;
  let worker: RunningWorker;
  let dataDir: string;
  let admin: WebClient;
  let buyer: Buyer;
  let buyerEmail: string;
  let warehouseId: string;
  let productId: string;
  let orderId: string;
  let sellerEmail: string;
  let sellerProduct: string;

  const signInStaff = async (client: WebClient, email: string) => client.post('/admin/sign-in', { _csrf: await client.csrf(), email, password: PASSWORD, return_to: '/admin' });
  const price = async (id: string) => (await t.ctx.services.catalog.getProduct(id)).price.amount;
  const upload = async (client: WebClient, id: string, fields: Record<string, string>, file?: Parameters<typeof multipart>[1], headers: Record<string, string> = SAME_ORIGIN) => {
    const body = multipart(fields, file);
    const response = await t.app.inject({ method: 'POST', url: `/admin/products/${id}/images`, payload: body.payload, headers: { accept: 'text/html', 'content-type': body.contentType, cookie: client.jar.header(), ...headers } });
    client.jar.store(response);
    return response;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-admin-'));
    t = await createTestApp(backend, { ...FAST_PAYMENTS, ...FAST_LIFECYCLE, DATA_DIR: dataDir });
    worker = await startWorker(t.ctx, { simulateFulfillment: false });
    const adminEmail = uniqueEmail('admin');
    await t.ctx.services.identity.createAdmin({ email: adminEmail, password: PASSWORD, name: 'Ada Admin' });
    admin = webClient(t.app);
    expect((await signInStaff(admin, adminEmail)).headers.location).toBe('/admin');
    warehouseId = (await createWarehouse(t.ctx)).id;
    const fixture = await createCatalogFixture(t.ctx, { products: 1, price: 2500, titlePrefix: 'Console lamp' });
    productId = fixture.productIds[0]!;
    await t.ctx.services.inventory.setTotalStock(productId, warehouseId, 20);
    buyer = await createBuyer(t.app);
    buyerEmail = (await t.ctx.services.identity.getAccount(buyer.accountId)).email;
    orderId = await placeOrder(t.app, buyer, [productId]);
    const sellerAccount = await registerCustomer(t.app, 'Sam Seller');
    sellerEmail = (await t.ctx.services.identity.getAccount(sellerAccount.accountId)).email;
    // createAdmin is the service's way to set a password; the fixture then makes the account its seller's.
    await t.ctx.services.identity.createAdmin({ email: sellerEmail, password: PASSWORD, name: 'Sam Seller' });
    sellerProduct = (await createCatalogFixture(t.ctx, { products: 1, sellerAccountId: sellerAccount.accountId, titlePrefix: 'Seller lamp' })).productIds[0]!;
  });
  afterAll(async () => {
    await worker?.stop();
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends signed-out browsers to the staff sign-in, and back after it', async () => {
    const guest = webClient(t.app);
    for (const url of [...ADMIN_PAGES, `/admin/orders/${orderId}`, `/admin/products/${productId}`]) {
      const response = await guest.get(url);
      expect(response.statusCode, url).toBe(303);
      expect(response.headers.location).toBe(`/admin/sign-in?return_to=${encodeURIComponent(url)}`);
    }
  });

  it('refuses a customer every console page, and a customer sign-in to the console keeps no session', async () => {
    const customer = webClient(t.app);
    const email = await signUpInBrowser(customer, 'Carl Customer');
    for (const url of [...ADMIN_PAGES, `/admin/orders/${orderId}`, `/admin/products/${productId}`]) {
      const response = await customer.get(url);
      expect(response.statusCode, url).toBe(403);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    const other = webClient(t.app);
    const refused = await other.post('/admin/sign-in', { _csrf: await other.csrf(), email, password: 'correct horse battery', return_to: '/admin' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('not a staff account');
    expect(other.jar.cookies.has('bz_session')).toBe(false);
  });

  it('shows staff private pages: dashboard with charts, orders, shipments, products, low stock', async () => {
    for (const url of ADMIN_PAGES) {
      const response = await admin.get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('private, no-store');
    }
    const dashboard = (await admin.get('/admin?period=7d')).body;
    expect(dashboard).toContain('<svg');
    expect(dashboard).toContain('Revenue per day');
    expect(dashboard).toMatch(/Orders<\/span><span class="value">1</);
    expect(dashboard).toContain('Event consumers');
    const hourly = (await admin.get('/admin?period=24h')).body;
    expect(hourly).toContain('Orders per hour: 1 in 24 hours');
  });

  it('finds orders by customer email and reference, pages keep the filters, bad filters are explained', async () => {
    const list = await admin.get(`/admin/orders?customer_email=${encodeURIComponent(buyerEmail)}`);
    expect(list.body).toContain(`/admin/orders/${orderId}`);
    const byRef = await admin.get(`/admin/orders?order=${orderId.slice(-8)}`);
    expect(byRef.body).toContain(`/admin/orders/${orderId}`);
    expect((await admin.get('/admin/orders?customer_email=nobody%40example.com')).body).toContain('No orders match');
    const bad = await admin.get('/admin/orders?from=2026-02-02&to=2026-02-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('must not be before');
    const detail = await admin.get(`/admin/orders/${orderId}`);
    expect(detail.body).toContain(buyerEmail);
    expect(detail.body).toContain('Cancel order and refund');
  });

  it('lets a seller manage only its own products, and nothing else of the console', async () => {
    const seller = webClient(t.app);
    expect((await signInStaff(seller, sellerEmail)).headers.location).toBe('/admin/products');
    const list = await seller.get('/admin/products?q=lamp');
    expect(list.body).toContain(`/admin/products/${sellerProduct}`);
    expect(list.body).not.toContain(`/admin/products/${productId}`);
    expect((await seller.get(`/admin/products/${productId}`)).statusCode).toBe(403);
    expect((await seller.get(`/admin/products/${sellerProduct}`)).statusCode).toBe(200);
    for (const url of ['/admin/orders', `/admin/orders/${orderId}`, '/admin/inventory', '/admin/shipments']) expect((await seller.get(url)).statusCode, url).toBe(403);
    const form = { _csrf: await seller.csrf(), title: 'Hijacked', price: '1.00', status: 'active', purchase_limit: '' };
    expect((await seller.post(`/admin/products/${productId}`, form)).statusCode).toBe(403);
    expect(await price(productId)).toBe(2500);
  });

  it('changes a price through the form, and the storefront product page shows it at once', async () => {
    expect((await webClient(t.app).get(`/p/${productId}`)).body).toContain('$25.00');
    const saved = await admin.post(`/admin/products/${productId}`, { _csrf: await admin.csrf(), title: 'Console lamp 1', price: '19.49', status: 'active', purchase_limit: '' });
    expect(saved.statusCode, saved.body.slice(0, 300)).toBe(303);
    expect(await price(productId)).toBe(1949);
    expect((await webClient(t.app).get(`/p/${productId}`)).body).toContain('$19.49');
    const flags = await admin.post(`/admin/products/${productId}`, { _csrf: await admin.csrf(), title: 'Console lamp 1', price: '19.49', status: 'active', purchase_limit: '3', checkout_challenge: 'true' });
    expect(flags.statusCode).toBe(303);
    expect(await t.ctx.services.catalog.getProduct(productId)).toMatchObject({ purchaseLimit: 3, checkoutChallenge: true });
    await admin.post(`/admin/products/${productId}`, { _csrf: await admin.csrf(), title: 'Console lamp 1', price: '19.49', status: 'active', purchase_limit: '' });
    expect(await t.ctx.services.catalog.getProduct(productId)).toMatchObject({ purchaseLimit: null, checkoutChallenge: false });
    const bad = await admin.post(`/admin/products/${productId}`, { _csrf: await admin.csrf(), title: 'Console lamp 1', price: '19,49', status: 'active', purchase_limit: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter an amount like');
    expect(await price(productId)).toBe(1949);
  });

  it('sets stock per warehouse, and refuses a total below what is sold or reserved', async () => {
    const field = `stock_${warehouseId}`;
    expect((await admin.post(`/admin/products/${productId}/stock`, { _csrf: await admin.csrf(), [field]: '3' })).statusCode).toBe(303);
    const [row] = await t.ctx.services.inventory.getStock(productId);
    expect(row).toMatchObject({ totalStock: 3, soldStock: 1 });
    expect((await admin.get('/admin/inventory')).body).toContain(`/admin/products/${productId}`);
    const refused = await admin.post(`/admin/products/${productId}/stock`, { _csrf: await admin.csrf(), [field]: '0' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('cannot drop below');
    expect((await t.ctx.services.inventory.getStock(productId))[0]!.totalStock).toBe(3);
  });

  it('uploads an image into the image store, checks what the bytes are, and removes it', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c33' } }).png().toBuffer();
    const response = await upload(admin, productId, { _csrf: await admin.csrf() }, { name: 'image', filename: 'lamp.png', type: 'image/png', bytes: png });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    const [image] = (await t.ctx.services.catalog.getProduct(productId)).images;
    expect(image).toMatch(/^\/img\/[a-f0-9]{64}\.png$/);
    expect((await t.app.inject({ method: 'GET', url: image! })).statusCode).toBe(200);
    const fake = await upload(admin, productId, { _csrf: await admin.csrf() }, { name: 'image', filename: 'lamp.png', type: 'image/png', bytes: Buffer.from('<html>not an image</html>') });
    expect(fake.statusCode).toBe(400);
    expect(fake.body).toContain('Upload a PNG, JPEG, WebP or SVG image');
    const huge = await upload(admin, productId, { _csrf: await admin.csrf() }, { name: 'image', filename: 'huge.png', type: 'image/png', bytes: Buffer.alloc(6 * 1024 * 1024, 1) });
    expect(huge.statusCode).toBe(413);
    expect((await t.ctx.services.catalog.getProduct(productId)).images).toEqual([image]);
    expect((await admin.post(`/admin/products/${productId}/images/remove`, { _csrf: await admin.csrf(), url: image! })).statusCode).toBe(303);
    expect((await t.ctx.services.catalog.getProduct(productId)).images).toEqual([]);
  });

  it('reports shipment steps, finds the parcel by tracking number, and cancels an order with a refund', async () => {
    const shipment = await waitFor(async () => (await t.ctx.services.fulfillment.listForOrder(orderId))[0], (s) => s !== undefined, 'the shipment of the order');
    for (const type of ['picked', 'packed']) {
      const response = await admin.post(`/admin/shipments/${shipment!.id}/events`, { _csrf: await admin.csrf(), type });
      expect(response.statusCode, response.body.slice(0, 300)).toBe(303);
    }
    const shipped = await admin.post(`/admin/shipments/${shipment!.id}/events`, { _csrf: await admin.csrf(), type: 'shipped', carrier: 'parcelway-ground', tracking_number: 'PWConsole777' });
    expect(shipped.statusCode).toBe(303);
    const found = await admin.get('/admin/shipments?tracking_number=pwconsole777');
    expect(found.body).toContain(`/admin/orders/${orderId}`);
    expect(found.body).toContain('Shipped');
    expect((await admin.get('/admin/shipments?tracking_number=%3Cx%3E')).statusCode).toBe(400);

    const second = await placeOrder(t.app, buyer, [productId]);
    const cancelled = await admin.post(`/admin/orders/${second}/cancel`, { _csrf: await admin.csrf(), reason: 'out of lamps' });
    expect(cancelled.statusCode).toBe(303);
    await waitFor(() => t.ctx.services.orders.findOrder(second), (o) => o?.refundStatus === 'done', 'the refund of the cancelled order');
    const packedCancel = await admin.post(`/admin/orders/${orderId}/cancel`, { _csrf: await admin.csrf() });
    expect(packedCancel.statusCode).toBe(409);
    expect(packedCancel.body).toContain('can no longer be cancelled');
  });

  it('creates a product (admin: for a named seller; seller: for itself) and a warehouse, explaining refusals beside the fields', async () => {
    const sellers = await t.ctx.services.catalog.listSellers();
    const categoryId = String((await t.ctx.services.catalog.getProduct(productId)).categoryId);
    const form = { _csrf: await admin.csrf(), seller_id: sellers[0]!.id, title: 'Brand-new kettle', brand: 'Boilwell', description: 'Boils.', category_id: categoryId, price: '31.50', currency: 'USD', status: 'active' };
    const created = await admin.post('/admin/products/new', form);
    expect(created.statusCode, created.body.slice(0, 300)).toBe(303);
    const id = /\/admin\/products\/([0-9a-f-]{36})\?done=created/.exec(String(created.headers.location))![1]!;
    expect(await t.ctx.services.catalog.getProduct(id)).toMatchObject({ title: 'Brand-new kettle', brand: 'Boilwell', sellerId: sellers[0]!.id, price: { amount: 3150, currency: 'USD' }, status: 'active' });
    const missingTitle = await admin.post('/admin/products/new', { ...form, title: '' });
    expect(missingTitle.statusCode).toBe(400);
    expect(missingTitle.body).toContain('field-title-error');

    const seller = webClient(t.app);
    await signInStaff(seller, sellerEmail);
    const own = await seller.post('/admin/products/new', { _csrf: await seller.csrf(), seller_id: sellers[0]!.id, title: 'Seller kettle', category_id: categoryId, price: '9.99', currency: 'USD', status: 'inactive' });
    expect(own.statusCode, own.body.slice(0, 300)).toBe(303);
    const ownId = /products\/([0-9a-f-]{36})/.exec(String(own.headers.location))![1]!;
    const sellerOfProduct = (await t.ctx.services.catalog.getProduct(sellerProduct)).sellerId;
    expect((await t.ctx.services.catalog.getProduct(ownId)).sellerId).toBe(sellerOfProduct);

    const warehouse = await admin.post('/admin/warehouses', { _csrf: await admin.csrf(), code: 'TX-9', name: 'Dallas, Texas', postal_code: '75201', country: 'US', processing_sla_hours: '12' });
    expect(warehouse.statusCode, warehouse.body.slice(0, 300)).toBe(303);
    expect((await t.ctx.services.inventory.listWarehouses()).map((w) => w.code)).toContain('TX-9');
    const again = await admin.post('/admin/warehouses', { _csrf: await admin.csrf(), code: 'TX-9', name: 'Again', postal_code: '75201', country: 'US' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('field-code-error');
    const unknownZip = await admin.post('/admin/warehouses', { _csrf: await admin.csrf(), code: 'ZZ-1', name: 'Nowhere', postal_code: '00000', country: 'US' });
    expect(unknownZip.statusCode).toBe(409);
    expect(unknownZip.body).toContain('field-postal_code-error');
    expect((await seller.get('/admin/warehouses')).statusCode).toBe(403);
  });

  it("shows a family child's axes and its siblings, linked to their own pages", async () => {
    const root = { accountId: 'x', role: 'admin' as const } as never;
    const base = await t.ctx.services.catalog.getProduct(productId);
    const family = await t.ctx.services.families.createFamily(root, { sellerId: base.sellerId, title: 'Console mug', categoryId: base.categoryId, axes: [{ name: 'colour', values: ['Red', 'Blue'] }] });
    const make = (colour: string) => t.ctx.services.catalog.createProduct(root, { sellerId: base.sellerId, title: `Console mug ${colour}`, categoryId: base.categoryId, price: { amount: 900, currency: 'USD' }, familyId: family.id, options: { colour } });
    const [red, blue] = [await make('Red'), await make('Blue')];
    const page = (await admin.get(`/admin/products/${red.id}`)).body;
    expect(page).toContain('Variation family');
    expect(page).toContain('This product: colour: Red');
    expect(page).toContain(`<a href="/admin/products/${blue.id}">colour: Blue</a>`);
  });

  it('refuses every console form from another site or without the token, and changes nothing', async () => {
    const token = await admin.csrf();
    const forms: [string, Record<string, string>][] = [
      ['/admin/sign-in', { email: 'x@example.com', password: PASSWORD }],
      [`/admin/orders/${orderId}/cancel`, { reason: 'csrf' }],
      [`/admin/products/${productId}`, { title: 'CSRF', price: '0.01', status: 'active', purchase_limit: '' }],
      [`/admin/products/${productId}/stock`, { [`stock_${warehouseId}`]: '999' }],
      [`/admin/products/${productId}/images/remove`, { url: '/img/x.png' }],
      ['/admin/products/new', { title: 'CSRF product', category_id: '1', price: '1.00', currency: 'USD', status: 'active' }],
      ['/admin/warehouses', { code: 'CSRF-1', name: 'CSRF', postal_code: '10001', country: 'US' }],
      [`/admin/shipments/${(await t.ctx.services.fulfillment.listForOrder(orderId))[0]!.id}/events`, { type: 'delivered' }],
    ];
    for (const [url, fields] of forms) {
      const crossSite = await admin.post(url, { ...fields, _csrf: token }, CROSS_SITE);
      expect(crossSite.statusCode, `${url} cross-site`).toBe(403);
      const noToken = await admin.post(url, fields, {});
      expect(noToken.statusCode, `${url} without token or origin`).toBe(403);
      const wrongToken = await admin.post(url, { ...fields, _csrf: 'x'.repeat(32) }, SAME_ORIGIN);
      expect(wrongToken.statusCode, `${url} wrong token`).toBe(403);
    }
    const uploadCrossSite = await upload(admin, productId, { _csrf: token }, { name: 'image', filename: 'a.svg', type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') }, CROSS_SITE);
    expect(uploadCrossSite.statusCode).toBe(403);
    expect(await price(productId)).toBe(1949);
    expect((await t.ctx.services.inventory.getStock(productId))[0]!.totalStock).toBe(3);
    expect((await t.ctx.services.catalog.getProduct(productId)).images).toEqual([]);
    expect((await t.ctx.services.orders.findOrder(orderId))!.status).not.toBe('cancelled');
    expect((await t.ctx.services.fulfillment.listForOrder(orderId))[0]!.status).toBe('shipped');
    expect((await t.ctx.services.inventory.listWarehouses()).map((w) => w.code)).not.toContain('CSRF-1');
    expect((await t.ctx.services.catalog.listProductsForStaff({ accountId: 'x', role: 'admin' } as never, { q: 'CSRF product', limit: 5 })).products).toEqual([]);
  });

  it("refuses a customer's same-origin posts to console forms", async () => {
    const customer = webClient(t.app);
    await signUpInBrowser(customer, 'Mallory');
    const token = await customer.csrf();
    expect((await customer.post(`/admin/products/${productId}`, { _csrf: token, title: 'Mine', price: '0.01', status: 'active', purchase_limit: '' })).statusCode).toBe(403);
    expect((await customer.post(`/admin/products/${productId}/stock`, { _csrf: token, [`stock_${warehouseId}`]: '999' })).statusCode).toBe(403);
    expect((await customer.post(`/admin/orders/${orderId}/cancel`, { _csrf: token })).statusCode).toBe(403);
    expect((await upload(customer, productId, { _csrf: token }, { name: 'image', filename: 'a.svg', type: 'image/svg+xml', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>') })).statusCode).toBe(403);
    expect(await price(productId)).toBe(1949);
    expect((await t.ctx.services.inventory.getStock(productId))[0]!.totalStock).toBe(3);
  });
});
