import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/helpers/databases.ts';
import { createTestApp, type TestApp } from '../../test/helpers/app.ts';
import { seedDemo, seedIfEmpty, type SeedSummary } from './seed.ts';

const PRODUCTS = 200;

interface ProductLine {
  id: string;
  title: string;
  price_amount: number;
  images: string[];
  status: string;
}

const productLines = async (t: TestApp): Promise<ProductLine[]> =>
  (await t.ctx.databases.main
    .selectFrom('products')
    .select(['id', 'title', 'price_amount', 'images', 'status'])
    .orderBy('title')
    .orderBy('price_amount')
    .execute()) as ProductLine[];

describe.each(BACKENDS)('seedDemo on %s', (backend) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-seed-'));
  let first: TestApp;
  let second: TestApp;
  let summary: SeedSummary;
  const progress: [number, number, string][] = [];

  beforeAll(async () => {
    first = await createTestApp(backend, { DATA_DIR: dataDir });
    second = await createTestApp(backend, { DATA_DIR: dataDir });
    summary = await seedDemo(first.ctx, { products: PRODUCTS, batchSize: 64, onProgress: (done, total, phase) => progress.push([done, total, phase]) });
    await seedDemo(second.ctx, { products: PRODUCTS });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('seeds the same titles and prices into two fresh databases', async () => {
    const a = await productLines(first);
    const b = await productLines(second);
    expect(a).toHaveLength(PRODUCTS);
    expect(b.map((p) => [p.title, p.price_amount, p.status])).toEqual(a.map((p) => [p.title, p.price_amount, p.status]));
    expect(new Set(a.map((p) => p.id)).size).toBe(PRODUCTS);
  });

  it('creates the sellers, category tree and warehouses it reports', async () => {
    expect(summary).toMatchObject({ products: PRODUCTS, sellers: 11, categories: 48, warehouses: 6 });
    expect(await first.ctx.services.catalog.countProducts()).toBe(PRODUCTS);
    const roots = await first.ctx.services.catalog.listCategories();
    expect(roots).toHaveLength(8);
    expect(roots.reduce((sum, root) => sum + root.children.length, 0)).toBe(40);
    const sellers = await first.ctx.databases.main.selectFrom('sellers').select(['name', 'kind']).execute();
    expect(sellers.filter((s) => s.kind === 'first_party')).toEqual([{ name: 'Bazaar Retail', kind: 'first_party' }]);
  });

  it('reports progress batch by batch, then while indexing for search', () => {
    const products = progress.filter(([, , phase]) => phase === 'products');
    expect(products).toEqual([0, 64, 128, 192, 200].map((done) => [done, PRODUCTS, 'products']));
    const search = progress.filter(([, , phase]) => phase === 'search');
    expect(progress.indexOf(search[0]!)).toBe(products.length);
    expect(search.at(-1)![0]).toBeGreaterThan(0);
    expect(search.at(-1)![0]).toBeLessThanOrEqual(search.at(-1)![1]);
  });

  it('leaves the active products findable by search', async () => {
    const active = (await productLines(first)).filter((p) => p.status === 'active');
    expect(summary.indexed).toBe(active.length);
    const brand = active[0]!.title.split(',')[0]!.split(' ')[0]!;
    const found = await first.ctx.services.search.search({ q: brand, limit: 50 });
    expect(found.totalCount).toBeGreaterThan(0);
    expect(found.products.every((hit) => active.some((p) => p.id === hit.id))).toBe(true);
  });

  it('gives every product an image the images route serves', async () => {
    const lines = await productLines(first);
    const urls = new Set(lines.flatMap((p) => p.images));
    expect(lines.every((p) => p.images.length === 1 && /^\/img\/[a-f0-9]{64}\.svg$/.test(p.images[0]!))).toBe(true);
    expect(urls.size).toBeGreaterThan(20);
    for (const url of urls) {
      const response = await first.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('image/svg+xml');
      expect(response.body).toContain('<svg');
    }
  });

  it('stocks every product in 1 to 4 warehouses within the stock constraints, some sold out', async () => {
    const rows = await first.ctx.databases.inventory
      .selectFrom('stock_levels')
      .select(['product_id', 'warehouse_id', 'total_stock', 'reserved_stock', 'sold_stock'])
      .execute();
    const products = new Set((await productLines(first)).map((p) => p.id));
    const byProduct = new Map<string, number[]>();
    for (const row of rows) {
      expect(products.has(row.product_id)).toBe(true);
      expect(row.reserved_stock).toBe(0);
      expect(row.sold_stock).toBe(0);
      expect(row.total_stock).toBeGreaterThanOrEqual(0);
      byProduct.set(row.product_id, [...(byProduct.get(row.product_id) ?? []), row.total_stock]);
    }
    expect(byProduct.size).toBe(PRODUCTS);
    expect(rows.length).toBe(summary.stockRows);
    for (const totals of byProduct.values()) expect(totals.length).toBeGreaterThanOrEqual(1);
    for (const totals of byProduct.values()) expect(totals.length).toBeLessThanOrEqual(4);
    const soldOut = [...byProduct.values()].filter((totals) => totals.every((t) => t === 0));
    expect(soldOut.length).toBeGreaterThan(0);
    const warehouses = await first.ctx.databases.inventory.selectFrom('warehouses').select(['postal_code']).execute();
    expect(warehouses.map((w) => w.postal_code).sort()).toEqual(['07094', '30336', '60436', '75261', '91761', '98032']);
  });

  it('refuses to seed a database that has products, and seedIfEmpty leaves it alone', async () => {
    await expect(seedDemo(first.ctx, { products: 10 })).rejects.toMatchObject({ code: 'already_seeded', kind: 'conflict' });
    expect(await seedIfEmpty(first.ctx, 10)).toBeUndefined();
    expect(await first.ctx.services.catalog.countProducts()).toBe(PRODUCTS);
  });

  it('seedIfEmpty seeds an empty database, unless asked for 0 products', async () => {
    const empty = await createTestApp(backend, { DATA_DIR: dataDir });
    try {
      expect(await seedIfEmpty(empty.ctx, 0)).toBeUndefined();
      expect(await empty.ctx.services.catalog.countProducts()).toBe(0);
      expect(await seedIfEmpty(empty.ctx, 25)).toMatchObject({ products: 25 });
      expect(await empty.ctx.services.catalog.countProducts()).toBe(25);
    } finally {
      await empty.close();
    }
  });

  it('refuses a product count outside 1 to 1,000,000', async () => {
    for (const products of [0, -1, 1.5, 1_000_001]) {
      await expect(seedDemo(first.ctx, { products })).rejects.toMatchObject({ code: 'invalid_product_count' });
    }
  });
});
