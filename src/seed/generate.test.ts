import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from './departments.ts';
import { createSeededFaker, imageKey, planCatalog, ProductGenerator, type GeneratedProduct } from './generate.ts';
import { split, titleLabel } from './taxonomy.ts';

function generate(count: number): { products: GeneratedProduct[]; plan: ReturnType<typeof planCatalog> } {
  const faker = createSeededFaker();
  const plan = planCatalog(faker);
  const images = new Map(plan.leaves.flatMap((l) => l.brands.map((b) => [imageKey(l.categoryId, b), `/img/${l.categoryId}-${b}.svg`] as const)));
  const generator = new ProductGenerator(faker, plan, images, new Date('2026-01-01T00:00:00Z'));
  return { products: Array.from({ length: count }, () => generator.next()), plan };
}

const content = (p: GeneratedProduct) => {
  const { id: _id, sellerId: _seller, familyId, ...rest } = p.product;
  return { ...rest, inFamily: familyId !== undefined, stock: p.stock.map((s) => s.totalStock) };
};

describe('demo catalog generator', () => {
  it('draws the same content for the same count', () => {
    const first = generate(300).products.map(content);
    const second = generate(300).products.map(content);
    expect(second).toEqual(first);
    expect(new Set(first.map((p) => p.title)).size).toBeGreaterThan(250);
  });

  it('draws some products as variation families whose children differ only by the variant attribute', () => {
    const { products, plan } = generate(2000);
    const families = products.filter((p) => p.family).map((p) => p.family!);
    expect(families.length).toBeGreaterThan(20);
    for (const [i, family] of families.entries()) {
      const children = products.filter((p) => p.product.familyId === family.id);
      const [axis] = family.axes;
      // The count may cut the last family short; every earlier one has a child per value.
      const values = i === families.length - 1 ? axis!.values.slice(0, children.length) : axis!.values;
      expect(children.map((c) => c.product.options![axis!.name])).toEqual(values);
      for (const child of children) {
        expect(child.product.title.startsWith(family.title)).toBe(true);
        expect(child.product.sellerId).toBe(family.sellerId);
        expect(child.product.attributes![axis!.name]).toBe(child.product.options![axis!.name]);
      }
      const leaf = plan.leaves.find((l) => l.categoryId === family.categoryId)!;
      expect(leaf.spec.titleAttribute).toBe(axis!.name);
    }
  });

  it('builds 8 departments of leaf categories with 5 to 12 brands each', () => {
    const { plan } = generate(0);
    const roots = plan.categories.filter((c) => c.parentId === null);
    expect(roots).toHaveLength(8);
    expect(plan.leaves.length).toBeGreaterThanOrEqual(35);
    for (const leaf of plan.leaves) {
      expect(leaf.brands.length).toBeGreaterThanOrEqual(5);
      expect(leaf.brands.length).toBeLessThanOrEqual(12);
      expect(new Set(leaf.brands).size).toBe(leaf.brands.length);
    }
    const slugs = plan.categories.map((c) => `${c.parentId}/${c.slug}`);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(plan.sellers.filter((s) => s.kind === 'first_party').map((s) => s.name)).toEqual(['Bazaar Retail']);
    expect(plan.sellers.length).toBeGreaterThanOrEqual(10);
    expect(plan.warehouses.map((w) => w.postalCode)).toContain('07094');
  });

  it('prices each product in its category range, in integer cents', () => {
    const { products, plan } = generate(2000);
    const specs = new Map(plan.leaves.map((l) => [l.categoryId, l.spec]));
    for (const { product } of products) {
      const [min, max] = specs.get(product.categoryId)!.price;
      expect(Number.isInteger(product.price.amount)).toBe(true);
      expect(product.price.amount).toBeGreaterThanOrEqual(min * 100 - 1);
      expect(product.price.amount).toBeLessThanOrEqual(max * 100 + 99);
      expect(product.price.currency).toBe('USD');
    }
  });

  it('titles start with the brand and end with the variant attribute', () => {
    const { products, plan } = generate(500);
    const specs = new Map(plan.leaves.map((l) => [l.categoryId, l.spec]));
    for (const { product } of products) {
      const spec = specs.get(product.categoryId)!;
      expect(product.title.startsWith(product.brand!)).toBe(true);
      expect(split(spec.brands)).toContain(product.brand);
      if (spec.titleAttribute) {
        const value = String(product.attributes![spec.titleAttribute]);
        expect(product.title.endsWith(titleLabel(spec.titleAttribute, value))).toBe(true);
      }
      expect(product.images).toEqual([`/img/${product.categoryId}-${product.brand}.svg`]);
    }
  });

  it('skews ratings high, leaves unreviewed products unrated and makes a few inactive', () => {
    const { products } = generate(3000);
    const reviewed = products.filter((p) => p.product.reviewCount! > 0);
    for (const { product } of reviewed) {
      expect(product.avgRating).toBeGreaterThanOrEqual(1);
      expect(product.avgRating).toBeLessThanOrEqual(5);
    }
    const mean = reviewed.reduce((sum, p) => sum + p.product.avgRating!, 0) / reviewed.length;
    expect(mean).toBeGreaterThan(3.8);
    expect(products.filter((p) => p.product.reviewCount === 0).every((p) => p.product.avgRating === 0)).toBe(true);
    const inactive = products.filter((p) => p.product.status === 'inactive').length;
    expect(inactive).toBeGreaterThan(0);
    expect(inactive).toBeLessThan(products.length * 0.1);
  });

  it('stocks each product in 1 to 4 distinct warehouses, some sold out and some low', () => {
    const { products, plan } = generate(3000);
    const warehouseIds = new Set(plan.warehouses.map((w) => w.id));
    for (const { product, stock } of products) {
      expect(stock.length).toBeGreaterThanOrEqual(1);
      expect(stock.length).toBeLessThanOrEqual(4);
      expect(new Set(stock.map((s) => s.warehouseId)).size).toBe(stock.length);
      for (const row of stock) {
        expect(row.productId).toBe(product.id);
        expect(warehouseIds.has(row.warehouseId)).toBe(true);
        expect(Number.isInteger(row.totalStock) && row.totalStock >= 0).toBe(true);
      }
    }
    const totals = products.map((p) => p.stock.reduce((sum, s) => sum + s.totalStock, 0));
    expect(totals.filter((t) => t === 0).length).toBeGreaterThan(50);
    expect(totals.filter((t) => t > 0 && t <= 5).length).toBeGreaterThan(50);
  });

  it('covers every department', () => {
    const { products, plan } = generate(2000);
    const departmentOf = new Map(plan.leaves.map((l) => [l.categoryId, l.department.name]));
    expect(new Set(products.map((p) => departmentOf.get(p.product.categoryId))).size).toBe(DEPARTMENTS.length);
  });
});
