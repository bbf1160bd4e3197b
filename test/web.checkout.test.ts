import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { assertMoneyMatchesOrders, assertStockInvariants, FAST_PAYMENTS, stockedProducts } from './helpers/shop.ts';
import { signUpInBrowser, webClient, type WebClient } from './helpers/web.ts';

const ADMIN = { accountId: newId(), role: 'admin' as const };

/** A signed-in browser with a saved address and card, and `productId` in its cart. */
async function readyShopper(t: TestApp, productId: string, card = 'tok_visa') {
  const client = webClient(t.app);
  const email = await signUpInBrowser(client);
  const token = await client.csrf();
  const address = await client.post('/checkout/addresses', { _csrf: token, line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postal_code: '10118', country: 'US' });
  expect(address.statusCode).toBe(303);
  const method = await client.post('/checkout/payment-methods', { _csrf: token, token: card });
  expect(method.statusCode).toBe(303);
  expect((await client.post('/cart/items', { product_id: productId, quantity: '1' })).statusCode).toBe(303);
  const page = await client.get('/checkout');
  const addressId = /name="shipping_address_id" value="([^"]+)"/.exec(page.body)![1]!;
  const methodId = /name="payment_method_id" value="([^"]+)"/.exec(page.body)![1]!;
  const account = await t.ctx.databases.main.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { client, token, addressId, methodId, accountId: account.id as string, page };
}

const keyOf = (html: string) => /name="idempotency_key" value="([^"]+)"/.exec(html)![1]!;

function placeOrder(client: WebClient, s: { token: string; addressId: string; methodId: string }, key: string, extra: Record<string, string> = {}) {
  return client.post('/checkout', { _csrf: s.token, shipping_address_id: s.addressId, payment_method_id: s.methodId, idempotency_key: key, ...extra });
}

async function ordersOf(t: TestApp, accountId: string) {
  return t.ctx.databases.orders.selectFrom('orders').select(['id', 'status', 'total_amount']).where('customer_id', '=', accountId).execute();
}

describe.each(BACKENDS)('storefront checkout (%s)', (backend) => {
  let t: TestApp;
  let productIds: string[];

  beforeAll(async () => {
    t = await createTestApp(backend, FAST_PAYMENTS);
    ({ productIds } = await stockedProducts(t.ctx, { products: 4, price: 2500, stock: 50 }));
  });
  afterAll(async () => t?.close());

  it('sends a signed-out shopper to sign in and back', async () => {
    const response = await webClient(t.app).get('/checkout');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in?return_to=%2Fcheckout');
  });

  it('places one order for a double submit of the same attempt, and a reload shows the same confirmation', async () => {
    const s = await readyShopper(t, productIds[0]!);
    const key = keyOf(s.page.body);
    const [first, second] = await Promise.all([placeOrder(s.client, s, key), placeOrder(s.client, s, key)]);
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const again = await placeOrder(s.client, s, key);
    expect(again.headers.location).toBe(first.headers.location);
    const orders = await ordersOf(t, s.accountId);
    expect(orders).toHaveLength(1);
    const confirmation = await s.client.get(first.headers.location as string);
    expect(confirmation.statusCode).toBe(200);
    expect(confirmation.body).toContain('Thank you, your order is placed');
    expect(confirmation.headers['cache-control']).toBe('private, no-store');
    await assertStockInvariants(t);
    await assertMoneyMatchesOrders(t);
  });

  it('asks to confirm a changed price and places the order at the new total once confirmed', async () => {
    const s = await readyShopper(t, productIds[1]!);
    await t.ctx.services.catalog.updateProduct(ADMIN, productIds[1]!, { price: { amount: 2900, currency: 'USD' } });
    const refused = await placeOrder(s.client, s, keyOf(s.page.body));
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Prices changed since you added these items');
    expect(refused.body).toContain('Place order for $29.00');
    expect(await ordersOf(t, s.accountId)).toHaveLength(0);
    const newKey = keyOf(refused.body);
    expect(newKey).not.toBe(keyOf(s.page.body));
    const placed = await placeOrder(s.client, s, newKey, { expected_total_amount: '2900', expected_total_currency: 'USD' });
    expect(placed.statusCode).toBe(303);
    expect((await ordersOf(t, s.accountId)).map((o) => o.total_amount)).toEqual([2900]);
  });

  it('shows the human check for flash-sale products and needs it solved', async () => {
    await t.ctx.services.catalog.updateProduct(ADMIN, productIds[2]!, { checkoutChallenge: true });
    const s = await readyShopper(t, productIds[2]!);
    const widget = /name="challenge_token" value="(pass_[^"]+)"/.exec(s.page.body);
    expect(widget).not.toBeNull();
    const unsolved = await placeOrder(s.client, s, keyOf(s.page.body));
    expect(unsolved.statusCode).toBe(403);
    expect(unsolved.body).toContain('Please complete the check below');
    const solved = await placeOrder(s.client, s, keyOf(unsolved.body), { challenge_token: /name="challenge_token" value="(pass_[^"]+)"/.exec(unsolved.body)![1]! });
    expect(solved.statusCode).toBe(303);
  });

  it('says a declined card charged nothing and keeps the cart', async () => {
    const s = await readyShopper(t, productIds[3]!, 'tok_decline');
    const declined = await placeOrder(s.client, s, keyOf(s.page.body));
    expect(declined.statusCode).toBe(402);
    expect(declined.body).toContain('Your bank declined the payment. Nothing was charged');
    expect(await ordersOf(t, s.accountId)).toHaveLength(0);
    expect((await s.client.get('/cart')).body).toContain('1 item)');
  });

  it('cancels an order from its page: cancelled and refunded', async () => {
    const s = await readyShopper(t, productIds[0]!);
    const placed = await placeOrder(s.client, s, keyOf(s.page.body));
    const orderPath = (placed.headers.location as string).split('?')[0]!;
    const cancelled = await s.client.post(`${orderPath}/cancel`, { _csrf: s.token });
    expect(cancelled.statusCode).toBe(303);
    const page = await s.client.get(orderPath);
    expect(page.body).toContain('Cancelled');
    expect(page.body).toContain('Refund: refunded');
    expect(page.body).not.toContain('Cancel this order');
    const stranger = webClient(t.app);
    await signUpInBrowser(stranger);
    expect((await stranger.get(orderPath)).statusCode).toBe(404);
  });
});

describe('storefront checkout with a CAPTCHA provider', () => {
  it("renders the provider's widget and passes its token to the human check", async () => {
    const seen: string[] = [];
    const provider = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push(body);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ success: new URLSearchParams(body).get('response') === 'widget-token' }));
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const { port } = provider.address() as AddressInfo;
    const t = await createTestApp('pglite', { ...FAST_PAYMENTS, CHALLENGE_VERIFY_URL: `http://127.0.0.1:${port}/siteverify`, CHALLENGE_SECRET: 'secret', CHALLENGE_SITE_KEY: 'site-key-1' });
    try {
      const { productIds: [id] } = await stockedProducts(t.ctx, { products: 1, stock: 5 });
      await t.ctx.services.catalog.updateProduct(ADMIN, id!, { checkoutChallenge: true });
      const s = await readyShopper(t, id!);
      expect(s.page.body).toContain('<div class="cf-turnstile" data-sitekey="site-key-1"></div>');
      expect(s.page.body).toContain('<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>');
      expect(s.page.body).not.toContain('pass_');
      const placed = await placeOrder(s.client, s, keyOf(s.page.body), { 'cf-turnstile-response': 'widget-token' });
      expect(placed.statusCode).toBe(303);
      expect(seen.some((body) => body.includes('response=widget-token'))).toBe(true);
    } finally {
      await t.close();
      provider.close();
    }
  });
});
