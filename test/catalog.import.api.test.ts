import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { waitFor } from './helpers/wait.ts';

const INDEX_LAG_MS = 10_000;

describe.each(BACKENDS)('ratings and the product import over HTTP (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;
  let seller: Session;
  let sellerId: string;
  let categoryId: number;

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, session?: Session, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...(session ? session.auth : {}), ...headers }, ...(payload !== undefined ? { payload: payload as string } : {}) });
  const productCount = async () => Number((await t.ctx.databases.main.selectFrom('products').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const search = async (query: string) => (await inject('GET', `/v1/search?${query}`)).json();
  const csv = (text: string) => inject('POST', '/v1/admin/products/import', admin, text, { 'content-type': 'text/csv' });

  beforeAll(async () => {
    t = await createTestApp(backend, { EVENTS_POLL_INTERVAL_MS: '20', EVENTS_RETRY_BASE_MS: '20' });
    admin = await createAdminSession(t.ctx, t.app);
    seller = await registerCustomer(t.app);
    const created = await inject('POST', '/v1/admin/sellers', admin, { name: 'Rated goods', kind: 'marketplace', account_id: seller.accountId });
    sellerId = created.json().id;
    categoryId = (await inject('POST', '/v1/admin/categories', admin, { name: 'Kettles', slug: 'kettles' })).json().id;
    await t.ctx.events.start();
  });
  afterAll(async () => t?.close());

  it('sets ratings on create and change, rounded to one decimal, and the search index follows', async () => {
    const created = await inject('POST', '/v1/admin/products', admin, {
      seller_id: sellerId, title: 'Gooseneck Pour-Over Kettle', category_id: categoryId, price: { amount: 4900, currency: 'USD' }, avg_rating: 4.46, review_count: 120,
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ avg_rating: 4.5, review_count: 120 });
    const id = created.json().id;
    await waitFor(() => search('q=gooseneck&rating_min=4.5'), (b) => b.total_count === 1, 'rated product in search', INDEX_LAG_MS);

    const lowered = await inject('PATCH', `/v1/admin/products/${id}`, seller, { avg_rating: 3.2 });
    expect(lowered.statusCode, lowered.body).toBe(200);
    expect(lowered.json()).toMatchObject({ avg_rating: 3.2, review_count: 120 });
    const body = await waitFor(() => search('q=gooseneck'), (b) => b.products[0]?.avg_rating === 3.2, 'new rating in search', INDEX_LAG_MS);
    expect(body.facets.ratings).toEqual([{ min: 4, count: 0 }, { min: 3, count: 1 }, { min: 2, count: 1 }, { min: 1, count: 1 }]);
  });

  it('refuses ratings out of range or disagreeing with the review count, and changes nothing', async () => {
    const { id } = (await inject('POST', '/v1/admin/products', admin, { seller_id: sellerId, title: 'Plain Kettle', category_id: categoryId, price: { amount: 1900, currency: 'USD' } })).json();
    const refused = [
      [{ avg_rating: 5.5 }, 'validation_failed'],
      [{ review_count: -1 }, 'validation_failed'],
      [{ review_count: 1.5 }, 'validation_failed'],
      [{ avg_rating: 4 }, 'invalid_rating'], // no reviews yet
      [{ review_count: 10 }, 'invalid_rating'], // reviews, but 0 stars
      [{ avg_rating: 0.5, review_count: 3 }, 'invalid_rating'],
    ] as const;
    for (const [patch, code] of refused) {
      const response = await inject('PATCH', `/v1/admin/products/${id}`, admin, patch);
      expect(response.statusCode, JSON.stringify(patch)).toBe(400);
      expect(errorCode(response), JSON.stringify(patch)).toBe(code);
    }
    expect((await inject('GET', `/v1/admin/products/${id}`, admin)).json()).toMatchObject({ avg_rating: 0, review_count: 0 });
    const bad = await inject('POST', '/v1/admin/products', admin, { seller_id: sellerId, title: 'X', category_id: categoryId, price: { amount: 1, currency: 'USD' }, avg_rating: 3 });
    expect(errorCode(bad)).toBe('invalid_rating');
  });

  it('imports JSON: creates and changes products with ratings, one event each, and search finds them', async () => {
    const { id } = (await inject('POST', '/v1/admin/products', admin, { seller_id: sellerId, title: 'Travel Kettle', category_id: categoryId, price: { amount: 2500, currency: 'USD' } })).json();
    const response = await inject('POST', '/v1/admin/products/import', admin, {
      products: [
        { seller_id: sellerId, title: 'Electric Kettle Deluxe', category_id: categoryId, price: { amount: 3900, currency: 'USD' }, avg_rating: 4.8, review_count: 950 },
        { id, avg_rating: 4.1, review_count: 12, price: { amount: 2200, currency: 'USD' } },
      ],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ created: 1, updated: 1, products: [{ row: 1, action: 'created' }, { row: 2, action: 'updated', id }] });
    const found = await waitFor(() => search('q=kettle&rating_min=4'), (b) => b.total_count === 2, 'imported products in search', INDEX_LAG_MS);
    expect(found.products.map((p: { title: string; avg_rating: number }) => [p.title, p.avg_rating])).toEqual([
      ['Electric Kettle Deluxe', 4.8],
      ['Travel Kettle', 4.1],
    ]);
  });

  it('imports CSV, including attributes and a seller importing its own products', async () => {
    const response = await csv(
      `title,category_id,price_amount,currency,brand,avg_rating,review_count,attr.color,images\n` +
        `"Stovetop Kettle, Whistling",${categoryId},2999,USD,Kettlebird,4.4,88,Red,/img/a.png|/img/b.png\n`,
    );
    expect(response.statusCode, response.body).toBe(400);
    expect(errorCode(response)).toBe('seller_required');
    const own = await inject('POST', '/v1/admin/products/import', seller, `title,category_id,price_amount,currency,brand,avg_rating,review_count,attr.color,images\n"Stovetop Kettle, Whistling",${categoryId},2999,USD,Kettlebird,4.4,88,Red,/img/a.png|/img/b.png\n`, { 'content-type': 'text/csv' });
    expect(own.statusCode, own.body).toBe(200);
    const product = (await inject('GET', `/v1/admin/products/${own.json().products[0].id}`, admin)).json();
    expect(product).toMatchObject({ title: 'Stovetop Kettle, Whistling', brand: 'Kettlebird', avg_rating: 4.4, review_count: 88, attributes: { color: 'Red' }, images: ['/img/a.png', '/img/b.png'] });
    await waitFor(() => search('q=whistling'), (b) => b.total_count === 1, 'CSV product in search', INDEX_LAG_MS);
  });

  it('shows a variation family once in search with its price range, and follows the family when it changes', async () => {
    const family = (await inject('POST', '/v1/admin/families', admin, { seller_id: sellerId, title: 'Copper Tea Kettle', category_id: categoryId, axes: [{ name: 'size', values: ['1 L', '2 L'] }] })).json();
    for (const [size, amount] of [['1 L', 3900], ['2 L', 5400]] as const) {
      const child = await inject('POST', '/v1/admin/products', admin, { seller_id: sellerId, title: `Copper Tea Kettle, ${size}`, category_id: categoryId, price: { amount, currency: 'USD' }, family_id: family.id, options: { size } });
      expect(child.statusCode, child.body).toBe(201);
    }
    const found = await waitFor(() => search('q=copper+kettle'), (b) => b.products[0]?.family?.matching_variants === 2, 'the family in search', INDEX_LAG_MS);
    expect(found.total_count).toBe(1);
    expect(found.products[0].family).toMatchObject({ id: family.id, title: 'Copper Tea Kettle', price_range: { min: { amount: 3900 }, max: { amount: 5400 } } });
    const renamed = await inject('PATCH', `/v1/admin/families/${family.id}`, admin, { title: 'Hammered Copper Tea Kettle' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await waitFor(() => search('q=hammered'), (b) => b.total_count === 1 && b.products[0].family.title === 'Hammered Copper Tea Kettle', 'renamed family in search', INDEX_LAG_MS);
  });

  it('refuses the whole import when one row is bad, naming the row, and writes nothing', async () => {
    const before = await productCount();
    const cases: [string, string, number][] = [
      [`seller_id,title,category_id,price_amount,currency\n${sellerId},Fine Kettle,${categoryId},1000,USD\n${sellerId},Bad Kettle,${categoryId},1000,usd\n`, 'invalid_currency', 2],
      [`seller_id,title,category_id,price_amount,currency,avg_rating,review_count\n${sellerId},Fine,${categoryId},1000,USD,,\n${sellerId},Bad,${categoryId},1000,USD,4.5,0\n`, 'invalid_rating', 2],
      [`seller_id,title,category_id,price_amount,currency\n${sellerId},Cheap,${categoryId},ten,USD\n`, 'invalid_import', 1],
      [`seller_id,title\n${sellerId},No price\n`, 'import_row_incomplete', 1],
      [`title,colour\nX,Red\n`, 'invalid_import', 0],
      [`seller_id,title,category_id,price_amount,currency\n${sellerId},Fine,${categoryId},1000,USD\n${sellerId},Nowhere,999999,1000,USD\n`, 'category_not_found', 2],
    ];
    for (const [text, code, row] of cases) {
      const response = await csv(text);
      expect(response.statusCode, text).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, text).toBeLessThan(500);
      expect(errorCode(response), text).toBe(code);
      if (row > 0) expect(response.json().error.details.row, text).toBe(row);
    }
    const json = await inject('POST', '/v1/admin/products/import', admin, { products: [{ title: 'Only a title', id: '01900000-0000-7000-8000-0000000000ff' }] });
    expect(errorCode(json)).toBe('product_not_found');
    expect(await productCount()).toBe(before);
  });
});
