import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/databases.ts';
import { placeOrder, waitFor } from '../helpers/lifecycle.ts';
import { createBuyer } from '../helpers/shop.ts';
import { hasText, horizontalOverflow, launchBrowser, newShopper, RUN_BROWSER_TESTS, screenshot, seriousViolations, signUp, startShop, type RunningShop } from './helpers.ts';

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
    shop = await startShop(backend, { products: 120 });
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
