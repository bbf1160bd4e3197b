import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabases, BACKENDS, type TestDatabases } from '../../../test/helpers/databases.ts';
import { MemoryCache } from '../../platform/cache.ts';
import { ManualClock } from '../../platform/clock.ts';
import { refusal } from '../../../test/helpers/refusal.ts';
import { newId } from '../../platform/ids.ts';
import { migrateToLatest } from '../../platform/migrations.ts';
import { eventsSchema } from '../events/index.ts';
import { CatalogService, catalogSchema, type CatalogPrincipal, type NewProductRow } from './index.ts';

const admin: CatalogPrincipal = { accountId: newId(), role: 'admin' };
const sellerAccount: CatalogPrincipal = { accountId: newId(), role: 'seller' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await refusal(promise);
  return `${error.kind}:${error.code}`;
}

describe.each(BACKENDS)('CatalogService (%s)', (backend) => {
  let databases: TestDatabases;
  let catalog: CatalogService;
  const clock = new ManualClock(new Date('2030-01-01T00:00:00Z'));
  const sellerId = newId();
  const count = async (table: string) =>
    Number((await databases.main.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    databases = await createTestDatabases(backend);
    await migrateToLatest(databases, [eventsSchema, catalogSchema]);
    catalog = new CatalogService(databases.main, clock, new MemoryCache(), { productCacheSeconds: 60 });
    await catalog.importCatalog({
      sellers: [{ id: sellerId, name: 'Imported', kind: 'first_party', accountId: sellerAccount.accountId }],
      categories: [
        { id: 10, name: 'Sports', slug: 'sports' },
        { id: 11, parentId: 10, name: 'Running shoes', slug: 'running-shoes' },
        { id: 12, parentId: 11, name: 'Trail', slug: 'trail' },
        { id: 20, name: 'Books', slug: 'books' },
      ],
    });
  });
  afterAll(async () => databases?.close());

  it('imports in bulk with materialized paths, ratings as numbers and no outbox rows', async () => {
    const products: NewProductRow[] = Array.from({ length: 1203 }, (_, i) => ({
      sellerId,
      title: `Imported ${i}`,
      categoryId: i % 2 === 0 ? 12 : 20,
      price: { amount: 100 + i, currency: 'USD' },
      avgRating: 4.26,
      reviewCount: i + 1,
    }));
    const before = await catalog.countProducts();
    expect(await catalog.importCatalog({ products })).toEqual({ sellers: 0, categories: 0, families: 0, products: 1203 });
    expect(await catalog.countProducts()).toBe(before + 1203);
    expect(await count('outbox')).toBe(0);

    const tree = await catalog.listCategories();
    const sports = tree.find((c) => c.slug === 'sports')!;
    expect(sports.children[0]!.children[0]).toMatchObject({ id: 12, path: 'sports/running-shoes/trail' });

    const page = await catalog.listProducts({ categoryId: 10, limit: 5 });
    expect(page.products).toHaveLength(5);
    expect(page.products[0]!.avgRating).toBe(4.3);
    expect(page.products.every((p) => p.categoryId === 12)).toBe(true);
  });

  it('moves the category id sequence past imported ids', async () => {
    const created = await catalog.createCategory(admin, { name: 'Garden', slug: 'garden' });
    expect(created.id).toBeGreaterThan(20);
    expect(created.path).toBe('garden');
  });

  it('rolls back a whole import when a row refers to nothing', async () => {
    const before = await catalog.countProducts();
    const code = await codeOf(
      catalog.importCatalog({
        products: [
          { sellerId, title: 'ok', categoryId: 20, price: { amount: 1, currency: 'USD' } },
          { sellerId: newId(), title: 'orphan', categoryId: 20, price: { amount: 1, currency: 'USD' } },
        ],
      }),
    );
    expect(code).toBe('unprocessable:import_reference_missing');
    expect(await catalog.countProducts()).toBe(before);
    expect(await codeOf(catalog.importCatalog({ categories: [{ id: 99, parentId: 98, name: 'x', slug: 'x-orphan' }] }))).toBe(
      'unprocessable:category_not_found',
    );
  });

  it('serves the cached copy until a write evicts it, while findProducts always reads the database', async () => {
    const product = await catalog.createProduct(admin, { sellerId, title: 'Cached', categoryId: 20, price: { amount: 500, currency: 'EUR' } });
    const first = await catalog.getProductCached(product.id);
    expect(first.createdAt).toBeInstanceOf(Date);
    expect(first.createdAt.getTime()).toBe(clock.now().getTime());

    // A change behind the service's back (another process) is invisible to the cache, never to findProducts.
    await databases.main.updateTable('products').set({ price_amount: 700 }).where('id', '=', product.id).execute();
    expect((await catalog.getProductCached(product.id)).price.amount).toBe(500);
    expect((await catalog.findProducts([product.id, 'not-a-uuid', newId()])).get(product.id)?.price.amount).toBe(700);

    await catalog.updateProduct(admin, product.id, { title: 'Renamed' });
    expect(await catalog.getProductCached(product.id)).toMatchObject({ title: 'Renamed', price: { amount: 700, currency: 'EUR' } });
  });

  it('records one product.updated event per write, in the same transaction', async () => {
    const product = await catalog.createProduct(sellerAccount, { title: 'Evented', categoryId: 20, price: { amount: 1, currency: 'USD' } });
    expect(product.sellerId).toBe(sellerId);
    await catalog.updateProduct(sellerAccount, product.id, { status: 'inactive' });
    await expect(catalog.updateProduct(sellerAccount, product.id, { categoryId: 4242 })).rejects.toThrow();
    const events = await databases.main.selectFrom('outbox').selectAll().where('aggregate_id', '=', product.id).orderBy('seq').execute();
    expect(events.map((e) => [e.type, (e.payload as { change: string }).change])).toEqual([
      ['catalog.product.updated', 'created'],
      ['catalog.product.updated', 'status_changed'],
    ]);
    expect(events[1]!.payload).toMatchObject({ product_id: product.id, seller_id: sellerId, status: 'inactive', title: 'Evented' });
  });

  it('keeps suspension an admin decision', async () => {
    const product = await catalog.createProduct(sellerAccount, { title: 'Flagged', categoryId: 20, price: { amount: 1, currency: 'USD' } });
    expect(await codeOf(catalog.updateProduct(sellerAccount, product.id, { status: 'suspended' }))).toBe('forbidden:product_suspended');
    await catalog.updateProduct(admin, product.id, { status: 'suspended' });
    expect(await codeOf(catalog.updateProduct(sellerAccount, product.id, { status: 'active' }))).toBe('forbidden:product_suspended');
    expect((await catalog.updateProduct(sellerAccount, product.id, { title: 'Flagged, fixed' })).status).toBe('suspended');
  });

  it('refuses sellers without a seller, customers, and another seller’s products', async () => {
    const stranger: CatalogPrincipal = { accountId: newId(), role: 'seller' };
    const customer: CatalogPrincipal = { accountId: newId(), role: 'customer' };
    const input = { title: 'x', categoryId: 20, price: { amount: 1, currency: 'USD' } };
    expect(await codeOf(catalog.createProduct(stranger, input))).toBe('forbidden:forbidden');
    expect(await codeOf(catalog.createProduct(customer, { ...input, sellerId }))).toBe('forbidden:forbidden');
    expect(await codeOf(catalog.createProduct(admin, input))).toBe('invalid:seller_required');
    expect(await codeOf(catalog.createProduct(admin, { ...input, sellerId: newId() }))).toBe('unprocessable:seller_not_found');
    expect(await codeOf(catalog.createProduct(admin, { ...input, sellerId, categoryId: 777 }))).toBe('unprocessable:category_not_found');

    const other = await catalog.createSeller(admin, { name: 'Other', kind: 'marketplace', accountId: stranger.accountId });
    const theirs = await catalog.createProduct(stranger, input);
    expect(theirs.sellerId).toBe(other.id);
    expect(await codeOf(catalog.assertCanManageProduct(sellerAccount, theirs.id))).toBe('forbidden:forbidden');
    expect(await codeOf(catalog.assertCanManageProduct(sellerAccount, newId()))).toBe('not_found:product_not_found');
    expect(await codeOf(catalog.assertCanManageProduct(customer, theirs.id))).toBe('forbidden:forbidden');
    expect((await catalog.assertCanManageProduct(admin, theirs.id)).id).toBe(theirs.id);
    expect(await codeOf(catalog.createSeller(admin, { name: 'Dup', kind: 'marketplace', accountId: stranger.accountId }))).toBe(
      'conflict:seller_account_taken',
    );
  });

  it('rejects garbage cursors and unknown categories', async () => {
    expect(await codeOf(catalog.listProducts({ cursor: 'garbage!', limit: 5 }))).toBe('invalid:invalid_cursor');
    const wrongShape = Buffer.from(JSON.stringify({ id: 'nope' })).toString('base64url');
    expect(await codeOf(catalog.listProducts({ cursor: wrongShape, limit: 5 }))).toBe('invalid:invalid_cursor');
    expect(await codeOf(catalog.listProducts({ categoryId: 9999, limit: 5 }))).toBe('not_found:category_not_found');
    expect(await codeOf(catalog.getProduct('nope'))).toBe('not_found:product_not_found');
  });

  it('walks every active product exactly once, newest first, whatever the page size', async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await catalog.listProducts({ limit: 97, ...(cursor ? { cursor } : {}) });
      all.push(...page.products.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = await databases.main.selectFrom('products').select('id').where('status', '=', 'active').orderBy('id', 'desc').execute();
    expect(all).toEqual(expected.map((r) => r.id));
  });
});
