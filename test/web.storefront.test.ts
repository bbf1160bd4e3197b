import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ImageStore } from '../src/platform/images.ts';
import { newId } from '../src/platform/ids.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { stockedProducts } from './helpers/shop.ts';
import { SAME_ORIGIN, signUpInBrowser, webClient } from './helpers/web.ts';

const ADMIN = { accountId: newId(), role: 'admin' as const };
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600"><rect width="600" height="600" fill="#36c"/></svg>';

describe.each(BACKENDS)('storefront over HTTP (%s)', (backend) => {
  let t: TestApp;
  let productId: string;
  let otherId: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-web-'));
    t = await createTestApp(backend, { DATA_DIR: dataDir });
    const image = await new ImageStore(dataDir).storeImage(Buffer.from(SVG), 'svg');
    const { productIds } = await stockedProducts(t.ctx, { products: 2, price: 2500, stock: 10 });
    [productId, otherId] = productIds as [string, string];
    await t.ctx.services.catalog.updateProduct({ accountId: 'x', role: 'admin' }, productId, { images: [image], title: 'Trail Runner <b>Pro</b>' });
    await t.ctx.services.search.reindex();
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves shared pages with public caching, an ETag, 304 and nothing personal', async () => {
    const guest = webClient(t.app);
    const signedIn = webClient(t.app);
    await signUpInBrowser(signedIn, 'Grace Hopper');
    for (const url of ['/', `/p/${productId}`, '/search?q=trail', `/search?q=trail&sort=price_asc`]) {
      const anonymous = await guest.get(url);
      expect(anonymous.statusCode, url).toBe(200);
      expect(anonymous.headers['cache-control']).toMatch(/^public, max-age=\d+, s-maxage=\d+, stale-while-revalidate=\d+, stale-if-error=\d+$/);
      expect(anonymous.headers['set-cookie']).toBeUndefined();
      const etag = anonymous.headers.etag as string;
      expect((await guest.get(url, { 'if-none-match': etag })).statusCode).toBe(304);
      const personal = await signedIn.get(url);
      expect(personal.body, `${url} is the same for everybody`).toBe(anonymous.body);
      expect(personal.body).not.toContain('Grace');
    }
  });

  it('escapes catalog text and ships the product page with srcset, lazy thumbnails and little JavaScript', async () => {
    const page = await webClient(t.app).get(`/p/${productId}`);
    expect(page.body).toContain('Trail Runner &lt;b>Pro&lt;/b>');
    // Inside quoted attributes `<` is inert; outside them no markup from the catalog survives.
    expect(page.body.replace(/"[^"]*"/g, '""')).not.toContain('<b>');
    expect(page.body).toMatch(/srcset="\/img\/w320\/[a-f0-9]{64}\.svg\.webp 320w/);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)/);
    const scripts = [...page.body.matchAll(/<script type="module" src="([^"]+)"/g)].map((m) => m[1]!);
    let compressed = 0;
    for (const src of scripts) {
      const asset = await t.app.inject({ url: src, headers: { 'accept-encoding': 'gzip' } });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['content-encoding']).toBe('gzip');
      compressed += asset.rawPayload.length;
    }
    expect(compressed).toBeLessThan(30 * 1024);
    const variant = page.body.match(/\/img\/w480\/[a-f0-9]{64}\.svg\.webp/)![0];
    const image = await t.app.inject({ url: variant });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/webp');
    expect(image.headers['cache-control']).toContain('immutable');
    expect((await t.app.inject({ url: variant.replace('w480', 'w333') })).statusCode).toBe(404);
  });

  it('shows the option picker of a variation family, with a sold-out child marked as such', async () => {
    const categoryId = (await t.ctx.services.catalog.getProduct(productId)).categoryId;
    const seller = (await t.ctx.services.catalog.getProduct(productId)).sellerId;
    const family = await t.ctx.services.families.createFamily(ADMIN, {
      sellerId: seller,
      title: 'Everyday Tee',
      description: 'Soft cotton.',
      categoryId,
      axes: [{ name: 'size', values: ['S', 'M', 'L'] }],
    });
    const warehouse = (await t.ctx.services.inventory.listWarehouses())[0]!;
    const child = async (size: string, stock: number) => {
      const p = await t.ctx.services.catalog.createProduct(ADMIN, {
        sellerId: seller,
        title: `Everyday Tee, Size ${size}`,
        categoryId,
        price: { amount: 1500, currency: 'USD' },
        familyId: family.id,
        options: { size },
      });
      await t.ctx.services.inventory.setTotalStock(p.id, warehouse.id, stock);
      return p.id;
    };
    const small = await child('S', 5);
    const medium = await child('M', 0);
    const page = await webClient(t.app).get(`/p/${small}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Soft cotton.');
    expect(page.body).toMatch(new RegExp(`<a href="/p/${small}/[^"]*" aria-current="true"><span>S</span>`));
    expect(page.body).toMatch(new RegExp(`<a href="/p/${medium}/[^"]*" class="unavailable"><span>M</span><span class="visually-hidden"> \\(out of stock\\)</span>`));
    expect(page.body).toContain('<span class="option unavailable">L</span>');
    const soldOut = await webClient(t.app).get(`/p/${medium}`);
    expect(soldOut.body).toContain('This item is out of stock right now.');
    expect(soldOut.body).not.toContain('Add to cart');
  });

  it('refuses cross-site form posts and accepts same-origin ones and matching tokens', async () => {
    const client = webClient(t.app);
    const add = { product_id: productId, quantity: '1' };
    expect((await client.post('/cart/items', add, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403);
    expect((await client.post('/cart/items', add, { origin: 'https://evil.example' })).statusCode).toBe(403);
    expect((await client.post('/cart/items', add, {})).statusCode).toBe(403);
    expect((await client.post('/cart/items', { ...add, _csrf: 'forged-token-value-0000' }, SAME_ORIGIN)).statusCode).toBe(403);
    const token = await client.csrf();
    expect((await client.post('/cart/items', { ...add, _csrf: token }, {})).statusCode).toBe(303);
    expect((await client.post('/cart/items', add, { origin: 'http://localhost:80' })).statusCode).toBe(303);
    const cart = await client.get('/cart');
    expect(cart.body).toContain('2 items');
  });

  it('keeps a guest cart in an HttpOnly cookie and moves it into the account on sign-up', async () => {
    const client = webClient(t.app);
    const added = await client.post('/cart/items', { product_id: otherId, quantity: '2' });
    expect(added.statusCode).toBe(303);
    const guestCookie = added.cookies.find((c) => c.name === 'bz_guest')!;
    expect(guestCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const email = await signUpInBrowser(client);
    expect(client.jar.cookies.has('bz_guest')).toBe(false);
    const session = client.jar.cookies.get('bz_session')!;
    expect(session).toMatch(/^bz_/);
    const account = await t.ctx.databases.main.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const cart = await t.ctx.services.cart.getCart({ accountId: account.id as string });
    expect(cart.items.map((l) => [l.productId, l.quantity])).toEqual([[otherId, 2]]);
    // The same session works against the identity module like a bearer token.
    expect(await t.ctx.services.identity.authenticate(session)).toMatchObject({ accountId: account.id });
  });

  it('re-renders forms with the API validation messages beside their fields', async () => {
    const client = webClient(t.app);
    const token = await client.csrf();
    const bad = await client.post('/sign-up', { _csrf: token, name: 'Al', email: 'nope', password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="field-email-error"[^>]*>Enter an email address/);
    expect(bad.body).toMatch(/id="field-password-error"[^>]*>Use at least 8 characters/);
    expect(bad.body).toContain('value="Al"');
    const api = await t.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { name: 'Al', email: 'nope', password: 'short' } });
    expect(api.statusCode).toBe(400);
    await signUpInBrowser(client);
    await client.post('/cart/items', { product_id: productId, quantity: '1' });
    const zip = await client.post('/checkout/addresses', { _csrf: token, line1: '1 Main St', city: 'Nowhere', region: 'NY', postal_code: '00000', country: 'US' });
    expect(zip.statusCode).toBe(422);
    expect(zip.body).toMatch(/id="field-address-postal_code-error"[^>]*>Postal code 00000 is not a known US ZIP code/);
    const wrongLogin = await webClient(t.app).post('/sign-in', { email: 'nobody@example.com', password: 'whatever1' });
    expect(wrongLogin.statusCode).toBe(401);
    expect(wrongLogin.body).toContain('Email or password is wrong');
  });

  it('answers the personal call with name, cart count and delivery promise, and counts the product view', async () => {
    const client = webClient(t.app);
    await signUpInBrowser(client, 'Katherine');
    const token = await client.csrf();
    await client.post('/checkout/addresses', { _csrf: token, line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postal_code: '10118', country: 'US' });
    await client.post('/cart/items', { product_id: productId, quantity: '3' });
    const me = await client.get(`/web/api/me?product=${productId}`, { accept: 'application/json' });
    expect(me.statusCode).toBe(200);
    expect(me.headers['cache-control']).toBe('private, no-store');
    expect(me.json()).toMatchObject({ signed_in: true, name: 'Katherine', cart_count: 3, delivery: { to_postal_code: '10118' } });
    expect(client.jar.cookies.has('bz_visit')).toBe(true);
    await client.get(`/web/api/me?product=${otherId}`, { accept: 'application/json' });
    await t.ctx.services.analytics.flush();
    const range = { from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 60_000) };
    const counted = await t.ctx.services.analytics.countVisitsWithProductView(range);
    expect(counted.visits).toBeGreaterThanOrEqual(1);
    expect(counted.views).toBeGreaterThanOrEqual(2);
    const anonymous = await webClient(t.app).get('/web/api/me', { accept: 'application/json' });
    expect(anonymous.json()).toEqual({ signed_in: false, name: null, cart_count: 0, delivery: null });
  });

  it('answers unknown URLs with an HTML page for browsers and JSON for the API', async () => {
    const page = await webClient(t.app).get('/no/such/page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(`request id <code>${page.headers['x-request-id']}</code>`);
    const api = await t.app.inject({ url: '/v1/nothing', headers: { accept: 'text/html' } });
    expect(api.json().error.code).toBe('route_not_found');
    expect((await webClient(t.app).get('/p/not-a-uuid')).statusCode).toBe(404);
  });

  it('answers an internal failure with a friendly 500 page carrying the request id and no internals', async () => {
    const spy = vi.spyOn(t.ctx.services.search, 'search').mockRejectedValueOnce(new Error('connection to the index lost: secret detail'));
    try {
      const page = await webClient(t.app).get('/search?q=anything-at-all');
      expect(page.statusCode).toBe(500);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).toContain('Something went wrong on our side');
      expect(page.body).toContain(`request id <code>${page.headers['x-request-id']}</code>`);
      expect(page.body).not.toContain('secret detail');
    } finally {
      spy.mockRestore();
    }
  });

  it('compresses HTML for browsers that accept it', async () => {
    const response = await t.app.inject({ url: '/search?q=trail', headers: { accept: 'text/html', 'accept-encoding': 'br, gzip' } });
    expect(response.headers['content-encoding']).toBe('br');
    expect(gzipSync(response.rawPayload).length).toBeGreaterThan(0);
  });
});
