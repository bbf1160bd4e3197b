import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { BACKENDS } from '../helpers/databases.ts';
import {
  accountIdOf,
  hasText,
  launchBrowser,
  newShopper,
  ordersAndCharges,
  horizontalOverflow,
  RUN_BROWSER_TESTS,
  screenshot,
  seriousViolations,
  signUp,
  startShop,
  type RunningShop,
} from './helpers.ts';

async function expectAccessible(page: Page, what: string) {
  const violations = await seriousViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** From the home page: search with a typo, filter by a brand facet, open the first product. */
async function searchFilterAndOpenProduct(page: Page, shop: RunningShop, typo = 'runnig shoes', corrected = 'running') {
  await page.goto(shop.url);
  await page.fill('#search-q', typo);
  await page.press('#search-q', 'Enter');
  await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === typo);
  await hasText(page.locator('main'), 'Showing results for');
  await hasText(page.locator('main'), corrected);
  const brand = page.locator('.facets section:has(h2:text("Brand")) a').first();
  const brandName = (await brand.locator('span').first().textContent())!.trim();
  await brand.click();
  await page.waitForURL(/brand=/);
  await hasText(page.locator('.active-filters'), `Brand: ${brandName}`);
  const first = page.locator('.grid .card a.title').first();
  const title = (await first.textContent())!.trim();
  await first.click();
  await page.waitForURL(/\/p\//);
  await hasText(page.locator('h1'), title, { exact: true });
  return { title, brandName };
}

/**
 * Opens results (from the current results page) until a product of a variation family, and
 * picks another of its options that is in stock: the page of that child opens.
 */
async function pickAVariant(page: Page) {
  const results = page.url();
  const links = await page.locator('.grid .card a.title').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  // Without the brand filter too, should that brand have no families.
  const unfiltered = new URL(results);
  unfiltered.searchParams.delete('brand');
  await page.goto(unfiltered.href);
  links.push(...(await page.locator('.grid .card a.title').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))));
  for (const link of links) {
    await page.goto(link);
    const other = page.locator('.options a:not([aria-current]):not(.unavailable)').first();
    if ((await other.count()) === 0) continue;
    const value = (await other.locator('span').first().textContent())!.trim();
    const before = page.url();
    await other.click();
    await page.waitForURL((url) => url.href !== before);
    await hasText(page.locator('.options a[aria-current=true]'), value);
    return (await page.locator('h1').textContent())!.trim();
  }
  throw new Error(`no product of a variation family among the results of ${results}`);
}

async function addAddressAndCard(page: Page) {
  // A ZIP that does not exist is refused with a message beside the field; nothing is saved.
  await page.fill('#field-address-line1', '350 Fifth Avenue');
  await page.fill('#field-address-city', 'New York');
  await page.fill('#field-address-region', 'NY');
  await page.fill('#field-address-postal_code', '00000');
  await page.click('button:has-text("Save address")');
  await hasText(page.locator('#field-address-postal_code-error'), 'not a known');
  await page.fill('#field-address-postal_code', '10118');
  await page.click('button:has-text("Save address")');
  await page.waitForURL(/\/checkout\?address=/);
  await page.selectOption('#card-token', 'tok_visa');
  await page.click('button:has-text("Save card")');
  await page.waitForURL(/\/checkout\?method=/);
}

describe.runIf(RUN_BROWSER_TESTS).each(BACKENDS)('storefront in a real browser (%s)', (backend) => {
  let shop: RunningShop;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    shop = await startShop(backend);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });

  it('a shopper searches with a typo, filters, adds to cart, signs up, checks out and watches the parcel arrive', async () => {
    const { context, page } = await newShopper(browser);
    await page.goto(shop.url);
    await screenshot(page, 'home');
    // Autocomplete: typing fills the search box's suggestions from the suggest API.
    await page.locator('#search-q').pressSequentially('earbu', { delay: 30 });
    await page.waitForFunction(() => document.querySelectorAll('#search-suggestions option').length > 0);
    await searchFilterAndOpenProduct(page, shop, 'wireles earbuds', 'wireless');
    await page.goBack();
    const title = await pickAVariant(page);
    await screenshot(page, 'product');
    await page.click('button:has-text("Add to cart")');
    await page.waitForURL(/\/cart\?added=1/);
    await hasText(page.locator('.cart-lines'), title);
    await hasText(page.locator('[data-personal=cart-count]'), '1', { exact: true });
    await screenshot(page, 'cart');

    await page.click('text=Proceed to checkout');
    await page.waitForURL(/\/sign-in\?return_to=%2Fcheckout/);
    await page.click('text=Create an account');
    const email = await signUp(page, shop, '/checkout');
    await page.waitForURL(/\/checkout$/);
    // The guest cart moved into the new account.
    await page.locator('#review').waitFor();
    await hasText(page.locator('main'), title);
    await addAddressAndCard(page);
    await screenshot(page, 'checkout');
    await page.click('button:has-text("Place order")');
    await page.waitForURL(/\/orders\/[0-9a-f-]+\?placed=1/);
    await hasText(page.locator('main'), 'Thank you, your order is placed');
    await screenshot(page, 'order-confirmation');

    // The simulator moves the parcel along; the page follows without a reload.
    await hasText(page.locator('[data-order-status]'), 'Delivered', { exact: true, timeout: 90_000 });
    await hasText(page.locator('#shipments'), 'Tracking number');
    await screenshot(page, 'order-delivered');
    const accountId = await accountIdOf(shop, email);
    expect(await ordersAndCharges(shop, accountId)).toEqual({ orders: 1, charges: 1 });

    await page.goto(`${shop.url}/notifications`);
    await hasText(page.locator('main'), 'delivered');
    await context.close();
  });

  it('browsing and the cart work with JavaScript disabled', async () => {
    const { context, page } = await newShopper(browser, { javaScript: false });
    const { title } = await searchFilterAndOpenProduct(page, shop);
    await page.fill('#quantity', '2');
    await page.click('button:has-text("Add to cart")');
    await page.waitForURL(/\/cart/);
    await hasText(page.locator('.cart-lines'), title);
    await hasText(page.locator('.summary'), '2 items');
    // Without JS the quantity form keeps its Update button.
    await page.fill('.cart-line input[name=quantity]', '3');
    await page.click('.cart-line button:has-text("Update")');
    await hasText(page.locator('.summary'), '3 items');
    await page.click('.cart-line button:has-text("Remove")');
    await hasText(page.locator('main'), 'Your cart is empty');
    // Sort applies with its button, and "next page" follows the keyset cursor.
    await page.goto(`${shop.url}/search?q=shoes`);
    await page.selectOption('#sort', 'price_asc');
    await page.click('button:has-text("Apply")');
    await page.waitForURL(/sort=price_asc/);
    const next = page.locator('a[rel=next]');
    if ((await next.count()) > 0) {
      const firstBefore = await page.locator('.grid .card a.title').first().textContent();
      await next.click();
      await page.waitForURL(/cursor=/);
      expect(await page.locator('.grid .card a.title').first().textContent()).not.toBe(firstBefore);
    }
    await context.close();
  });

  it('double-clicking "Place order" and reloading the confirmation make one order and one charge', async () => {
    for (const javaScript of [false, true]) {
      const { context, page } = await newShopper(browser, { javaScript });
      const email = await signUp(page, shop, '/');
      await searchFilterAndOpenProduct(page, shop);
      await page.click('button:has-text("Add to cart")');
      await page.waitForURL(/\/cart/);
      await page.goto(`${shop.url}/checkout`);
      await addAddressAndCard(page);
      await page.dblclick('button:has-text("Place order")');
      await page.waitForURL(/\/orders\/[0-9a-f-]+\?placed=1/);
      await page.reload();
      await hasText(page.locator('main'), 'Thank you, your order is placed');
      // Back to the form and sending it again replays the same attempt's answer.
      await page.goBack();
      const accountId = await accountIdOf(shop, email);
      expect(await ordersAndCharges(shop, accountId), `JavaScript ${javaScript ? 'on' : 'off'}`).toEqual({ orders: 1, charges: 1 });
      await context.close();
    }
  });

  it('every storefront page type has no serious accessibility violations and fits a 375 px screen', async () => {
    const { context, page } = await newShopper(browser, { width: 375 });
    const email = await signUp(page, shop, '/');
    const pages: [string, () => Promise<unknown>][] = [
      ['home', () => page.goto(shop.url)],
      ['search', () => page.goto(`${shop.url}/search?q=yoga+mat`)],
      ['category', async () => {
        await page.goto(shop.url);
        await page.click('.departments a >> nth=0');
      }],
      ['product', async () => {
        await page.goto(`${shop.url}/search?q=yoga+mat`);
        await page.click('.grid .card a.title >> nth=0');
      }],
      ['cart', async () => {
        await page.click('button:has-text("Add to cart")');
        await page.waitForURL(/\/cart/);
      }],
      ['checkout', () => page.goto(`${shop.url}/checkout`)],
      ['orders', () => page.goto(`${shop.url}/orders`)],
      ['notifications', () => page.goto(`${shop.url}/notifications`)],
      ['account', () => page.goto(`${shop.url}/account`)],
      ['not-found', () => page.goto(`${shop.url}/no-such-page`)],
    ];
    for (const [name, open] of pages) {
      await open();
      await page.waitForLoadState('load');
      await expectAccessible(page, name);
      expect(await horizontalOverflow(page), `${name} scrolls sideways at 375 px`).toBeNull();
      if (name === 'search' || name === 'category') await screenshot(page, `${name}-375`);
    }
    // The order page, after a purchase.
    await page.goto(`${shop.url}/checkout`);
    await addAddressAndCard(page);
    await page.click('button:has-text("Place order")');
    await page.waitForURL(/\/orders\//);
    await expectAccessible(page, 'order');
    expect(await horizontalOverflow(page)).toBeNull();
    for (const path of ['/sign-in', '/sign-up']) {
      const { context: guest, page: guestPage } = await newShopper(browser, { width: 375 });
      await guestPage.goto(`${shop.url}${path}`);
      await expectAccessible(guestPage, path);
      await guest.close();
    }
    expect(email).toContain('@');
    await context.close();
  });

  it('shows form errors beside their fields and a friendly 404 with the request id', async () => {
    const { context, page } = await newShopper(browser);
    await page.goto(`${shop.url}/sign-up`);
    await page.fill('#field-name', 'Bob');
    await page.fill('#field-email', 'not-an-email');
    await page.fill('#field-password', 'short');
    await page.click('button:has-text("Create account")');
    await hasText(page.locator('#field-email-error'), 'email address');
    await hasText(page.locator('#field-password-error'), 'at least 8');
    expect(await page.locator('#field-name').inputValue()).toBe('Bob');
    const response = await page.goto(`${shop.url}/p/00000000-0000-4000-8000-000000000000`);
    expect(response?.status()).toBe(404);
    await hasText(page.locator('h1'), 'could not find that product');
    const missing = await page.goto(`${shop.url}/definitely/not/here`);
    expect(missing?.status()).toBe(404);
    await hasText(page.locator('main'), 'request id');
    await context.close();
  });
});
