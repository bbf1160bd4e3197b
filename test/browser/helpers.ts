/// <reference lib="dom" />
/**
 * Browser test helpers (storefront and admin console): a shop listening on a random port
 * with its worker running, and Debian's Chromium driven by playwright-core.
 *
 * Browser suites run when a Chromium is found. `REQUIRE_BROWSER=1` (set by .ci/run) turns a
 * missing or unstartable browser into a failure instead of a skip.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWorker, type RunningWorker } from '../../src/app/worker.ts';
import { seedDemo } from '../../src/seed/seed.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import type { Backend } from '../helpers/databases.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BROWSER_REQUIRED = process.env.REQUIRE_BROWSER === '1';
export const BROWSER_FOUND = fs.existsSync(CHROMIUM_PATH);
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

if (!BROWSER_FOUND) {
  const message = `browser tests: no Chromium at ${CHROMIUM_PATH}`;
  if (BROWSER_REQUIRED) throw new Error(`${message}, and REQUIRE_BROWSER=1 requires one (apt-get install chromium)`);
  process.stderr.write(`\n*** ${message}: SKIPPING the browser suites (set CHROMIUM_PATH, or install chromium) ***\n\n`);
}

/** Whether a browser suite runs: with a browser found, or always when one is required (then it fails if it cannot start). */
export const RUN_BROWSER_TESTS = BROWSER_FOUND || BROWSER_REQUIRED;

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Where every run saves its screenshots; `UPDATE_SCREENSHOTS=1` also refreshes docs/screenshots. */
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const DOC_SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

export interface RunningShop {
  t: TestApp;
  url: string;
  worker: RunningWorker;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The whole shop on a fresh database: API, storefront and worker (with the fulfillment
 * simulator on a short step) listening on 127.0.0.1 at a random port, seeded with the demo catalog.
 */
export async function startShop(backend: Backend, options: { products?: number; env?: Record<string, string> } = {}): Promise<RunningShop> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-browser-'));
  const t = await createTestApp(backend, {
    DATA_DIR: dataDir,
    SIMULATOR_STEP_SECONDS: '1',
    EVENTS_POLL_INTERVAL_MS: '50',
    PAYMENT_RETRY_BASE_MS: '5',
    SANDBOX_SLOW_MS: '300',
    ...options.env,
  });
  await seedDemo(t.ctx, { products: options.products ?? 300 });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const worker = await startWorker(t.ctx, { simulateFulfillment: true });
  return {
    t,
    url: address,
    worker,
    dataDir,
    async close() {
      await worker.stop();
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh browser profile (cookies) at a phone-ish or desktop size; `javaScript: false` browses like a no-JS visitor. */
export async function newShopper(browser: Browser, options: { javaScript?: boolean; width?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    javaScriptEnabled: options.javaScript ?? true,
    viewport: { width: options.width ?? 1280, height: 900 },
    // axe-core is injected as a script; a strict CSP must not stop the test's own tooling.
    bypassCSP: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { context, page };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical accessibility violations of the current page (axe-core, WCAG 2.x A/AA rules). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** What makes the page scroll sideways at its viewport width (it must not at 375 px), or null. */
export async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth + 1) return null;
    const clipped = (el: Element) => {
      for (let parent = el.parentElement; parent; parent = parent.parentElement) if (getComputedStyle(parent).overflowX !== 'visible') return true;
      return false;
    };
    const wide = Array.from(document.querySelectorAll('body *')).filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !clipped(el));
    const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
    return innermost.slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)}px)`).join(', ');
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    fs.copyFileSync(file, path.join(DOC_SCREENSHOTS, `${name}.png`));
  }
}

let counter = 0;
export const shopperEmail = () => `browser-${Date.now().toString(36)}-${++counter}@example.com`;

/** Signs up through the storefront's form (from wherever the page is). */
export async function signUp(page: Page, shop: RunningShop, returnTo = '/'): Promise<string> {
  const email = shopperEmail();
  await page.goto(`${shop.url}/sign-up?return_to=${encodeURIComponent(returnTo)}`);
  await page.fill('#field-name', 'Ada Lovelace');
  await page.fill('#field-email', email);
  await page.fill('#field-password', 'correct horse battery');
  await page.click('button:has-text("Create account")');
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-up'));
  return email;
}

/** Signs in through the storefront's form (e.g. an admin or seller created with the identity service). */
export async function signIn(page: Page, shop: RunningShop, email: string, password: string, returnTo = '/'): Promise<void> {
  await page.goto(`${shop.url}/sign-in?return_to=${encodeURIComponent(returnTo)}`);
  await page.fill('#field-email', email);
  await page.fill('#field-password', password);
  await page.click('button:has-text("Sign in")');
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

export async function accountIdOf(shop: RunningShop, email: string): Promise<string> {
  const row = await shop.t.ctx.databases.main.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return row.id as string;
}

/** Orders and charges (payments that took money) of one customer, straight from the database. */
export async function ordersAndCharges(shop: RunningShop, accountId: string): Promise<{ orders: number; charges: number }> {
  const db = shop.t.ctx.databases.orders;
  const orders = await db.selectFrom('orders').select('id').where('customer_id', '=', accountId).execute();
  const charges = await db.selectFrom('payments').select('id').where('account_id', '=', accountId).where('status', 'in', ['captured', 'refunded']).execute();
  return { orders: orders.length, charges: charges.length };
}

/**
 * Waits until the first element of `locator` contains `text` (or equals it with `exact`);
 * fails with what it saw instead. (playwright-core has no test-runner assertions.)
 */
export async function hasText(locator: import('playwright-core').Locator, text: string, options: { exact?: boolean; timeout?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeout ?? 20_000);
  let seen: string | null = null;
  for (;;) {
    seen = await locator
      .first()
      .textContent({ timeout: 1_000 })
      .catch(() => null);
    const normalized = seen?.replace(/\s+/g, ' ').trim() ?? null;
    if (normalized !== null && (options.exact ? normalized === text : normalized.includes(text))) return;
    if (Date.now() > deadline) throw new Error(`expected ${String(locator)} to ${options.exact ? 'be' : 'contain'} "${text}", saw: ${normalized?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
