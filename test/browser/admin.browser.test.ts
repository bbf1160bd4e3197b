import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/databases.ts';
import { placeOrder, waitFor } from '../helpers/lifecycle.ts';
import { createBuyer } from '../helpers/shop.ts';
import { createCatalogFixture } from '../helpers/catalog.ts';
import { accountIdOf, hasText, horizontalOverflow, launchBrowser, newShopper, RUN_BROWSER_TESTS, screenshot, seriousViolations, signUp, startShop, type RunningShop } from './helpers.ts';

const STAFF_PASSWORD = 'staff password 1';

async function expectAccessible(page: Page, what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** An active seeded product with units to sell. */
async function sellableProduct(shop: RunningShop) {
  const { catalog, inventory } = shop.t.ctx.services;
  const page = await catalog.listProducts({ limit: 50 });
  const availability = await inventory.getAvailability(page.products.map((p) => p.id));
  const product = page.products.find((p) => (availability.get(p.id)?.available ?? 0) > 5 && p.familyId === null);
  if (!product) throw new Error('no sellable product in the seeded catalog');
  return product;
}

describe.runIf(RUN_BROWSER_TESTS).each(BACKENDS)('admin console in a real browser (%s)', (backend) => {
  let shop: RunningShop;
  let browser: Browser;
  let adminEmail: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    // Steps of 4 s: parcels still ship within the test, and staff have a few seconds to cancel before packing.
    shop = await startShop(backend, { products: 120, env: { SIMULATOR_STEP_SECONDS: '4' } });
    adminEmail = `staff-${Date.now().toString(36)}@example.com`;
    await shop.t.ctx.services.identity.createAdmin({ email: adminEmail, password: STAFF_PASSWORD, name: 'Stella Staff' });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('a staff member signs in, reads the dashboard, finds an order, changes a price the storefront then shows, and looks a parcel up by tracking number', async () => {
    const product = await sellableProduct(shop);
    const buyer = await createBuyer(shop.t.app);
    const buyerEmail = (await shop.t.ctx.services.identity.getAccount(buyer.accountId)).email;
    const orderId = await placeOrder(shop.t.app, buyer, [product.id]);
    // Other customers' orders, so the list and the figures have more than one row.
    for (let i = 0; i < 2; i++) await placeOrder(shop.t.app, await createBuyer(shop.t.app), [product.id]);

    const { context, page } = await newShopper(browser);
    await page.goto(`${shop.url}/admin/orders`);
    // Signed out: the console's sign-in, which comes back to the page asked for.
    await page.waitForURL(/\/admin\/sign-in\?return_to=%2Fadmin%2Forders/);
    await expectAccessible(page, 'admin sign-in');
    await page.fill('#field-email', adminEmail);
    await page.fill('#field-password', STAFF_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === '/admin/orders');

    await page.click('nav.admin-nav a:has-text("Dashboard")');
    await page.waitForURL((url) => url.pathname === '/admin');
    await hasText(page.locator('h1'), 'Dashboard', { exact: true });
    await hasText(page.locator('.figures'), 'Orders');
    expect(await page.locator('figure.chart svg rect').count()).toBeGreaterThan(0);
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'admin-dashboard');

    // Find the order by the customer's email, open it.
    await page.click('nav.admin-nav a:has-text("Orders")');
    await page.fill('#field-customer_email', buyerEmail);
    await page.click('form.filters button:has-text("Filter")');
    await page.waitForURL(/customer_email=/);
    const link = page.locator(`table.list a[href="/admin/orders/${orderId}"]`);
    await link.click();
    await page.waitForURL((url) => url.pathname === `/admin/orders/${orderId}`);
    await hasText(page.locator('main'), buyerEmail);
    await hasText(page.locator('main'), product.title);
    await expectAccessible(page, 'order detail');
    await screenshot(page, 'admin-order');

    // Change the price; the storefront's product page shows the new one.
    await page.click('nav.admin-nav a:has-text("Products")');
    await page.fill('#field-q', product.id);
    await page.click('form.filters button:has-text("Filter")');
    await page.click(`table.list a[href="/admin/products/${product.id}"]`);
    await page.waitForURL((url) => url.pathname === `/admin/products/${product.id}`);
    await expectAccessible(page, 'product edit');
    const newPrice = ((product.price.amount + 123) / 100).toFixed(2);
    await page.fill('#field-price', newPrice);
    await page.click('button:has-text("Save")');
    await page.waitForURL(/done=saved/);
    await hasText(page.locator('.notice.success'), 'The product is saved');
    await screenshot(page, 'admin-product');
    await page.click('text=View in the storefront');
    await page.waitForURL(/\/p\//);
    await hasText(page.locator('main .price').first(), `$${newPrice}`);

    // The simulator ships the parcel; staff find it by its tracking number (typed in lower case).
    const [shipment] = await waitFor(() => shop.t.ctx.services.fulfillment.listForOrder(orderId), (list) => Boolean(list[0]?.trackingNumber), 'the parcel to ship', 60_000);
    await page.goto(`${shop.url}/admin/shipments`);
    await page.fill('#field-tracking_number', shipment!.trackingNumber!.toLowerCase());
    await page.click('button:has-text("Find")');
    await page.waitForURL(/tracking_number=/);
    await hasText(page.locator('table.list'), shipment!.trackingNumber!);
    await expectAccessible(page, 'shipment lookup');
    await screenshot(page, 'admin-shipments');
    await page.click(`table.list a[href="/admin/orders/${orderId}"]`);
    await page.waitForURL((url) => url.pathname === `/admin/orders/${orderId}`);

    await page.goto(`${shop.url}/admin/inventory`);
    await hasText(page.locator('h1'), 'Low stock');
    await expectAccessible(page, 'low stock');
    await page.goto(`${shop.url}/admin/products`);
    await expectAccessible(page, 'product list');
    await page.goto(`${shop.url}/admin/orders`);
    await expectAccessible(page, 'order list');
    await screenshot(page, 'admin-orders');
    await context.close();
  });

  it('staff create a product with an image and stock that storefront search then finds, sell it out, and cancel an order the shopper then sees refunded', async () => {
    const { context, page } = await newShopper(browser);
    await page.goto(`${shop.url}/admin/sign-in`);
    await page.fill('#field-email', adminEmail);
    await page.fill('#field-password', STAFF_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === '/admin');

    const title = `Zephyrine Teakettle ${Date.now().toString(36)}`;
    await page.goto(`${shop.url}/admin/products/new`);
    await expectAccessible(page, 'new product');
    await page.fill('#field-title', title);
    await page.fill('#field-brand', 'Zephyrine');
    await page.fill('#field-price', '42.00');
    await page.click('button:has-text("Create product")');
    await page.waitForURL(/\/admin\/products\/[0-9a-f-]{36}\?done=created/);
    const productId = /products\/([0-9a-f-]{36})/.exec(page.url())![1]!;

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-upload-'));
    const file = path.join(dir, 'kettle.png');
    fs.writeFileSync(file, await sharp({ create: { width: 320, height: 320, channels: 3, background: '#2a7' } }).png().toBuffer());
    await page.setInputFiles('#field-image', file);
    await page.click('button:has-text("Upload")');
    await page.waitForURL(/done=image/);
    expect(await page.locator('.thumbs img').count()).toBe(1);
    fs.rmSync(dir, { recursive: true, force: true });

    const stockInput = page.locator('.stock input[type=number]').first();
    await stockInput.fill('7');
    await page.click('button:has-text("Save stock")');
    await page.waitForURL(/done=stock/);

    // The search indexer learns of the new product from its event: within seconds it is found.
    const searchUrl = `${shop.url}/search?q=${encodeURIComponent('zephyrine teakettle')}`;
    await waitFor(
      async () => {
        await page.goto(searchUrl);
        return page.locator(`.grid .card a.title:has-text("${title}")`).count();
      },
      (n) => n > 0,
      'the new product in storefront search',
      30_000,
    );
    await page.click(`.grid .card a.title:has-text("${title}")`);
    await page.waitForURL(/\/p\//);
    expect(await page.locator('main img').count()).toBeGreaterThan(0);

    // Sold out: stock 0, and the (shared-cached) product page says so once the change reaches it.
    await page.goto(`${shop.url}/admin/products/${productId}`);
    await page.locator('.stock input[type=number]').first().fill('0');
    await page.click('button:has-text("Save stock")');
    await page.waitForURL(/done=stock/);
    await waitFor(
      async () => {
        await page.goto(`${shop.url}/p/${productId}`);
        return (await page.locator('main').textContent()) ?? '';
      },
      (text) => text.includes('out of stock'),
      'the product page to say out of stock',
      30_000,
    );

    // A shopper's order, cancelled by staff before packing: the shopper's page says cancelled and refunded.
    const product = await sellableProduct(shop);
    const shopper = await newShopper(browser);
    const email = await signUp(shopper.page, shop);
    const accountId = await accountIdOf(shop, email);
    const { token } = await shop.t.ctx.services.identity.login({ email, password: 'correct horse battery' });
    const session = { token, accountId, auth: { authorization: `Bearer ${token}` } };
    const address = await shop.t.app.inject({ method: 'POST', url: '/v1/addresses', headers: session.auth, payload: { line1: '1 Main Street', city: 'New York', region: 'NY', postal_code: '10001', country: 'US' } });
    const method = await shop.t.app.inject({ method: 'POST', url: '/v1/payment-methods', headers: session.auth, payload: { token: 'tok_visa' } });
    const orderId = await placeOrder(shop.t.app, { ...session, addressId: address.json().id, paymentMethodId: method.json().id }, [product.id]);
    await page.goto(`${shop.url}/admin/orders/${orderId}`);
    await page.click('button:has-text("Cancel order and refund")');
    await page.waitForURL(/done=cancelled/);
    await hasText(page.locator('[data-order-status]'), 'Cancelled', { exact: true });
    await waitFor(() => shop.t.ctx.services.orders.findOrder(orderId), (o) => o?.refundStatus === 'done', 'the refund', 30_000);
    await shopper.page.goto(`${shop.url}/orders/${orderId}`);
    await hasText(shopper.page.locator('[data-order-status]'), 'Cancelled', { exact: true });
    await hasText(shopper.page.locator('main'), 'Refund: refunded');
    await shopper.context.close();
    await context.close();
  });

  it('a seller cannot open another seller\'s product in the console', async () => {
    const sellerEmail = `seller-${Date.now().toString(36)}@example.com`;
    const account = await shop.t.ctx.services.identity.createAdmin({ email: sellerEmail, password: STAFF_PASSWORD, name: 'Sid Seller' });
    const own = await createCatalogFixture(shop.t.ctx, { products: 1, sellerAccountId: account.id, titlePrefix: 'Sid lamp' });
    const other = await sellableProduct(shop);
    const { context, page } = await newShopper(browser);
    await page.goto(`${shop.url}/admin/sign-in`);
    await page.fill('#field-email', sellerEmail);
    await page.fill('#field-password', STAFF_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === '/admin/products');
    await hasText(page.locator('table.list'), 'Sid lamp');
    expect(await page.locator(`table.list a[href="/admin/products/${other.id}"]`).count()).toBe(0);
    expect((await page.goto(`${shop.url}/admin/products/${own.productIds[0]}`))?.status()).toBe(200);
    expect((await page.goto(`${shop.url}/admin/products/${other.id}`))?.status()).toBe(403);
    await hasText(page.locator('main'), 'You may manage only your own products');
    expect((await page.goto(`${shop.url}/admin/orders`))?.status()).toBe(403);
    await context.close();
  });

  it('works at 375 px and with JavaScript off', async () => {
    const { context, page } = await newShopper(browser, { javaScript: false, width: 375 });
    await page.goto(`${shop.url}/admin/sign-in`);
    await page.fill('#field-email', adminEmail);
    await page.fill('#field-password', STAFF_PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL((url) => url.pathname === '/admin');
    for (const path of ['/admin', '/admin/orders', '/admin/products', '/admin/inventory', '/admin/shipments']) {
      await page.goto(`${shop.url}${path}`);
      expect(await horizontalOverflow(page), path).toBeNull();
    }
    await page.goto(`${shop.url}/admin/orders?status=placed`);
    await hasText(page.locator('h1'), 'Orders');
    await context.close();
  });

  it('a customer cannot open the console', async () => {
    const { context, page } = await newShopper(browser);
    await signUp(page, shop);
    const response = await page.goto(`${shop.url}/admin`);
    expect(response?.status()).toBe(403);
    await hasText(page.locator('main'), 'The admin console is for staff accounts');
    expect((await page.goto(`${shop.url}/admin/orders`))?.status()).toBe(403);
    expect((await page.goto(`${shop.url}/admin/products`))?.status()).toBe(403);
    await context.close();
  });
});
