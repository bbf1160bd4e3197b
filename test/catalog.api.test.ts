import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CacheTags } from '../src/app/cache-invalidator.ts';
import { newId } from '../src/platform/ids.ts';
import { createAdminSession, createTestApp, errorCode, registerCustomer, type Session, type TestApp } from './helpers/app.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { BACKENDS } from './helpers/databases.ts';

describe.each(BACKENDS)('catalog over HTTP (%s)', (backend) => {
  let t: TestApp;
  let admin: Session;
  let sellerA: Session;
  let sellerB: Session;
  let customer: Session;
  let sellerAId: string;
  const cat: Record<string, number> = {};

  const inject = (method: 'GET' | 'POST' | 'PATCH', url: string, session?: Session, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...(session ? session.auth : {}), ...headers }, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const count = async (table: string) =>
    Number((await t.ctx.databases.main.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const createProduct = async (session: Session, body: Record<string, unknown>) => {
    const response = await inject('POST', '/v1/admin/products', session, { price: { amount: 1000, currency: 'USD' }, category_id: cat.books, ...body });
    if (response.statusCode !== 201) throw new Error(`create failed: ${response.statusCode} ${response.body}`);
    return response.json();
  };
  const createCategory = async (name: string, slug: string, parentId?: number) => {
    const response = await inject('POST', '/v1/admin/categories', admin, { name, slug, ...(parentId ? { parent_id: parentId } : {}) });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };

  beforeAll(async () => {
    t = await createTestApp(backend);
    admin = await createAdminSession(t.ctx, t.app);
    [sellerA, sellerB, customer] = [await registerCustomer(t.app), await registerCustomer(t.app), await registerCustomer(t.app)];
    cat.sports = await createCategory('Sports', 'sports');
    cat.shoes = await createCategory('Running shoes', 'running-shoes', cat.sports);
    cat.trail = await createCategory('Trail', 'trail', cat.shoes);
    cat.books = await createCategory('Books', 'books');
    const a = await inject('POST', '/v1/admin/sellers', admin, { name: 'Acme', kind: 'marketplace', account_id: sellerA.accountId });
    expect(a.statusCode).toBe(201);
    sellerAId = a.json().id;
    await inject('POST', '/v1/admin/sellers', admin, { name: 'Bolt', kind: 'marketplace', account_id: sellerB.accountId });
  });
  afterAll(async () => t?.close());

  it('builds the category tree and refuses a duplicate slug', async () => {
    const tree = (await inject('GET', '/v1/categories')).json().categories;
    const sports = tree.find((c: { slug: string }) => c.slug === 'sports');
    expect(sports.children[0]).toMatchObject({ slug: 'running-shoes', path: 'sports/running-shoes', parent_id: cat.sports });
    expect(sports.children[0].children[0]).toMatchObject({ id: cat.trail, path: 'sports/running-shoes/trail', children: [] });
    const dup = await inject('POST', '/v1/admin/categories', admin, { name: 'Again', slug: 'books' });
    expect(dup.statusCode).toBe(409);
    expect(errorCode(dup)).toBe('category_slug_taken');
    const orphan = await inject('POST', '/v1/admin/categories', admin, { name: 'Orphan', slug: 'orphan', parent_id: 99999 });
    expect(errorCode(orphan)).toBe('category_not_found');
    expect((await inject('POST', '/v1/admin/categories', sellerA, { name: 'Mine', slug: 'mine' })).statusCode).toBe(403);
  });

  it('links a seller to its account, which becomes a seller account', async () => {
    const me = (await inject('GET', '/v1/me', sellerA)).json();
    expect(me.role).toBe('seller');
    const sellers = (await inject('GET', '/v1/admin/sellers', admin)).json().sellers;
    expect(sellers).toContainEqual(expect.objectContaining({ id: sellerAId, name: 'Acme', kind: 'marketplace', account_id: sellerA.accountId }));
    const again = await inject('POST', '/v1/admin/sellers', admin, { name: 'Acme 2', kind: 'marketplace', account_id: sellerA.accountId });
    expect([again.statusCode, errorCode(again)]).toEqual([409, 'seller_account_taken']);
    const ghost = await inject('POST', '/v1/admin/sellers', admin, { name: 'Ghost', kind: 'marketplace', account_id: newId() });
    expect([ghost.statusCode, errorCode(ghost)]).toEqual([422, 'account_not_found']);
    const demote = await inject('POST', '/v1/admin/sellers', admin, { name: 'Boss', kind: 'first_party', account_id: admin.accountId });
    expect([demote.statusCode, errorCode(demote)]).toEqual([422, 'account_is_admin']);
    expect((await inject('GET', '/v1/admin/sellers', sellerA)).statusCode).toBe(403);
  });

  it('creates products as admin (for a seller) and as a seller (for itself only)', async () => {
    const byAdmin = await createProduct(admin, {
      seller_id: sellerAId,
      title: 'Trail runner',
      brand: 'Acme',
      category_id: cat.trail,
      images: ['https://cdn.example.com/a.jpg', '/img/abc.png'],
      attributes: { color: 'red', size: 42, waterproof: true },
      purchase_limit: 2,
    });
    expect(byAdmin).toMatchObject({ seller_id: sellerAId, status: 'active', avg_rating: 0, review_count: 0, purchase_limit: 2 });
    const bySeller = await createProduct(sellerA, { title: 'Own book' });
    expect(bySeller.seller_id).toBe(sellerAId);
    const forOther = await inject('POST', '/v1/admin/products', sellerB, { seller_id: sellerAId, title: 'x', price: { amount: 1, currency: 'USD' }, category_id: cat.books });
    expect([forOther.statusCode, errorCode(forOther)]).toEqual([403, 'forbidden']);
    const noSeller = await inject('POST', '/v1/admin/products', admin, { title: 'x', price: { amount: 1, currency: 'USD' }, category_id: cat.books });
    expect(errorCode(noSeller)).toBe('seller_required');
    const noCategory = await inject('POST', '/v1/admin/products', sellerA, { title: 'x', price: { amount: 1, currency: 'USD' }, category_id: 4242 });
    expect([noCategory.statusCode, errorCode(noCategory)]).toEqual([422, 'category_not_found']);
  });

  it('keeps customers and anonymous callers out of catalog writes', async () => {
    const body = { seller_id: sellerAId, title: 'x', price: { amount: 1, currency: 'USD' }, category_id: cat.books };
    expect((await inject('POST', '/v1/admin/products', customer, body)).statusCode).toBe(403);
    expect((await inject('POST', '/v1/admin/products', undefined, body)).statusCode).toBe(401);
    const product = await createProduct(admin, { seller_id: sellerAId, title: 'Guarded' });
    expect((await inject('PATCH', `/v1/admin/products/${product.id}`, customer, { title: 'Mine now' })).statusCode).toBe(403);
    expect((await inject('POST', '/v1/admin/sellers', customer, { name: 'Me', kind: 'marketplace' })).statusCode).toBe(403);
  });

  it('lets a seller edit only its own products', async () => {
    const product = await createProduct(sellerA, { title: 'Acme original' });
    const foreign = await inject('PATCH', `/v1/admin/products/${product.id}`, sellerB, { title: 'Hijacked' });
    expect([foreign.statusCode, errorCode(foreign)]).toEqual([403, 'forbidden']);
    expect((await inject('GET', `/v1/admin/products/${product.id}`, sellerB)).statusCode).toBe(403);
    const own = await inject('PATCH', `/v1/admin/products/${product.id}`, sellerA, { title: 'Acme improved', price: { amount: 1200, currency: 'USD' } });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ title: 'Acme improved', price: { amount: 1200, currency: 'USD' } });
    expect((await inject('PATCH', `/v1/admin/products/${product.id}`, admin, { brand: 'Admin brand' })).json().brand).toBe('Admin brand');
    const unknown = await inject('PATCH', `/v1/admin/products/${newId()}`, sellerA, { title: 'x' });
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'product_not_found']);
  });

  it('rejects invalid writes with 400 and writes nothing', async () => {
    const product = await createProduct(admin, { seller_id: sellerAId, title: 'Valid' });
    const [products, events] = [await count('products'), await count('outbox')];
    const base = { seller_id: sellerAId, title: 'Bad', category_id: cat.books, price: { amount: 100, currency: 'USD' } };
    const bad: [string, string, unknown][] = [
      ['POST', '/v1/admin/products', { ...base, price: { amount: -1, currency: 'USD' } }],
      ['POST', '/v1/admin/products', { ...base, price: { amount: '100', currency: 'USD' } }],
      ['POST', '/v1/admin/products', { ...base, price: { amount: 100_000_001, currency: 'USD' } }],
      ['POST', '/v1/admin/products', { ...base, price: { amount: 1.5, currency: 'USD' } }],
      ['POST', '/v1/admin/products', { ...base, price: { amount: 100, currency: 'usd' } }],
      ['POST', '/v1/admin/products', { ...base, is_featured: true }],
      ['POST', '/v1/admin/products', { ...base, seller_id: 'not-a-uuid' }],
      ['POST', '/v1/admin/products', { ...base, title: '' }],
      ['POST', '/v1/admin/products', { ...base, images: ['javascript:alert(1)'] }],
      ['POST', '/v1/admin/products', { ...base, images: Array.from({ length: 21 }, (_, i) => `/img/${i}.png`) }],
      ['POST', '/v1/admin/products', { ...base, attributes: { nested: { a: 1 } } }],
      ['POST', '/v1/admin/products', { ...base, attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }],
      ['PATCH', `/v1/admin/products/${product.id}`, { price: { amount: -5, currency: 'USD' } }],
      ['PATCH', `/v1/admin/products/${product.id}`, { avg_rating: 6 }],
      ['PATCH', `/v1/admin/products/${product.id}`, {}],
      ['PATCH', `/v1/admin/products/${product.id}`, { purchase_limit: 0 }],
      ['PATCH', '/v1/admin/products/not-a-uuid', { title: 'x' }],
    ];
    for (const [method, url, payload] of bad) {
      const response = await inject(method as 'POST', url, admin, payload);
      expect([response.statusCode, errorCode(response), url, payload]).toEqual([400, 'validation_failed', url, payload]);
    }
    expect(await count('products')).toBe(products);
    expect(await count('outbox')).toBe(events);
    expect((await inject('GET', '/v1/products/not-a-uuid')).statusCode).toBe(400);
  });

  it('records one catalog.product.updated outbox row per write', async () => {
    const product = await createProduct(sellerA, { title: 'Evented' });
    await inject('PATCH', `/v1/admin/products/${product.id}`, sellerA, { title: 'Evented 2' });
    await inject('PATCH', `/v1/admin/products/${product.id}`, sellerA, { status: 'inactive' });
    await inject('PATCH', `/v1/admin/products/${product.id}`, sellerB, { title: 'refused' });
    const rows = await t.ctx.databases.main.selectFrom('outbox').selectAll().where('aggregate_id', '=', product.id).orderBy('seq').execute();
    expect(rows.map((r) => [r.type, r.aggregate_type, (r.payload as { change: string }).change])).toEqual([
      ['catalog.product.updated', 'product', 'created'],
      ['catalog.product.updated', 'product', 'updated'],
      ['catalog.product.updated', 'product', 'status_changed'],
    ]);
    expect(rows[2]!.payload).toMatchObject({ product_id: product.id, seller_id: sellerAId, status: 'inactive', price_amount: 1000, currency: 'USD' });
  });

  it('serves the product page with cache headers, an ETag and availability, and shows edits at once', async () => {
    const product = await createProduct(sellerA, { title: 'Before', description: 'Words', attributes: { pages: 300 } });
    const first = await inject('GET', `/v1/products/${product.id}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({
      id: product.id,
      title: 'Before',
      description: 'Words',
      brand: null,
      category_id: cat.books,
      price: { amount: 1000, currency: 'USD' },
      images: [],
      attributes: { pages: 300 },
      avg_rating: 0,
      review_count: 0,
      status: 'active',
      seller_id: sellerAId,
      family_id: null,
      options: {},
      availability: 'out_of_stock',
    });
    const ttl = t.ctx.config.productCacheSeconds;
    expect(first.headers['cache-control']).toBe(`public, max-age=${ttl}, s-maxage=${ttl}, stale-while-revalidate=5, stale-if-error=300`);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const notModified = await inject('GET', `/v1/products/${product.id}`, undefined, undefined, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');

    await inject('PATCH', `/v1/admin/products/${product.id}`, sellerA, { title: 'After' });
    const after = await inject('GET', `/v1/products/${product.id}`, undefined, undefined, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.json().title).toBe('After');
    expect(after.headers.etag).not.toBe(etag);
  });

  it('shows availability from inventory, and still serves the page when inventory fails', async () => {
    const [plenty, few] = [await createProduct(sellerA, { title: 'Plenty' }), await createProduct(sellerA, { title: 'Few' })];
    const warehouse = await t.ctx.services.inventory.createWarehouse({ code: `WH-${newId().slice(-8)}`, name: 'East', postalCode: '07094', country: 'US', processingSlaHours: 24 });
    await t.ctx.services.inventory.setTotalStock(plenty.id, warehouse.id, 500);
    await t.ctx.services.inventory.setTotalStock(few.id, warehouse.id, 1);
    expect((await inject('GET', `/v1/products/${plenty.id}`)).json().availability).toBe('in_stock');
    expect((await inject('GET', `/v1/products/${few.id}`)).json().availability).toBe('low_stock');
    const listed = (await inject('GET', `/v1/products?category=${cat.books}&limit=100`)).json().products;
    expect(listed.find((p: { id: string }) => p.id === few.id).availability).toBe('low_stock');

    const inventory = t.ctx.services.inventory;
    const original = inventory.getAvailability;
    inventory.getAvailability = async () => {
      throw new Error('inventory database unreachable');
    };
    try {
      // The page is cached; drop it so it is rendered again and inventory is asked.
      await t.ctx.browse.invalidate([CacheTags.product(plenty.id)], { cdn: false });
      const degraded = await inject('GET', `/v1/products/${plenty.id}`);
      expect([degraded.statusCode, degraded.json().availability, degraded.json().title]).toEqual([200, 'unknown', 'Plenty']);
      expect(degraded.headers['cache-control']).toBe('public, max-age=5, s-maxage=5, stale-while-revalidate=5, stale-if-error=300');
    } finally {
      inventory.getAvailability = original;
    }
  });

  it('hides a product that is not active from everyone but its seller and admins', async () => {
    const product = await createProduct(sellerA, { title: 'Hidden soon', category_id: cat.books });
    await inject('GET', `/v1/products/${product.id}`);
    await inject('PATCH', `/v1/admin/products/${product.id}`, sellerA, { status: 'inactive' });
    for (const viewer of [undefined, customer, sellerB]) {
      const response = await inject('GET', `/v1/products/${product.id}`, viewer);
      expect([response.statusCode, errorCode(response)]).toEqual([404, 'product_not_found']);
    }
    for (const viewer of [sellerA, admin]) {
      const response = await inject('GET', `/v1/products/${product.id}`, viewer);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('private, no-store');
    }
    expect((await inject('GET', `/v1/admin/products/${product.id}`, sellerA)).json().status).toBe('inactive');
    const listed = (await inject('GET', `/v1/products?category=${cat.books}&limit=100`)).json().products.map((p: { id: string }) => p.id);
    expect(listed).not.toContain(product.id);
  });

  it('lists a category with its descendants, newest first', async () => {
    const outdoor = await createCategory('Outdoor', 'outdoor');
    const tents = await createCategory('Tents', 'tents', outdoor);
    const other = await createCategory('Outdoor-ish', 'outdoorish');
    const top = await createProduct(sellerA, { title: 'Compass', category_id: outdoor });
    const deep = await createProduct(sellerA, { title: 'Tent', category_id: tents });
    await createProduct(sellerA, { title: 'Not outdoor', category_id: other });
    const parent = (await inject('GET', `/v1/products?category=${outdoor}`)).json();
    expect(parent.products.map((p: { id: string }) => p.id)).toEqual([deep.id, top.id]);
    expect(parent.next_cursor).toBeNull();
    const child = (await inject('GET', `/v1/products?category=${tents}`)).json();
    expect(child.products.map((p: { id: string }) => p.id)).toEqual([deep.id]);
    const unknown = await inject('GET', '/v1/products?category=987654');
    expect([unknown.statusCode, errorCode(unknown)]).toEqual([404, 'category_not_found']);
  });

  it('pages with opaque cursors that neither repeat nor skip when products are added meanwhile', async () => {
    const paging = await createCategory('Paging', 'paging');
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createProduct(sellerA, { title: `Page item ${i}`, category_id: paging })).id);
    const seen: string[] = [];
    let url = `/v1/products?category=${paging}&limit=3`;
    let added: string | undefined;
    for (;;) {
      const page = (await inject('GET', url)).json();
      seen.push(...page.products.map((p: { id: string }) => p.id));
      added ??= (await createProduct(sellerA, { title: 'Added while paging', category_id: paging })).id;
      if (!page.next_cursor) break;
      url = `/v1/products?category=${paging}&limit=3&cursor=${encodeURIComponent(page.next_cursor)}`;
    }
    expect(seen).toEqual([...created].reverse());
    const fresh = (await inject('GET', `/v1/products?category=${paging}&limit=1`)).json();
    expect(fresh.products[0].id).toBe(added);

    for (const bad of ['garbage', 'eyJpZCI6MX0', '%%%']) {
      const response = await inject('GET', `/v1/products?cursor=${encodeURIComponent(bad)}`);
      expect([response.statusCode, errorCode(response)]).toEqual([400, 'invalid_cursor']);
    }
    for (const limit of ['0', '101', 'ten']) expect((await inject('GET', `/v1/products?limit=${limit}`)).statusCode).toBe(400);
  });

  it('provides a fixture other suites build on', async () => {
    const fixture = await createCatalogFixture(t.ctx, { products: 3, price: 2500, purchaseLimit: 4 });
    expect(fixture.productIds).toHaveLength(3);
    const found = await t.ctx.services.catalog.findProducts(fixture.productIds);
    expect([...found.values()].map((p) => [p.price.amount, p.purchaseLimit, p.status, p.categoryId])).toEqual(
      Array.from({ length: 3 }, () => [2500, 4, 'active', fixture.categoryId]),
    );
    const listed = (await inject('GET', `/v1/products?category=${fixture.categoryId}`)).json().products;
    expect(listed.map((p: { id: string }) => p.id)).toEqual([...fixture.productIds].reverse());
  });
});
