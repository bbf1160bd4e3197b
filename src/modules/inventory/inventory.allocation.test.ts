import { describe, expect, it } from 'vitest';
import { candidateOrder, mergeLines, planLine, type StockCandidate } from './inventory.allocation.ts';

// Real coordinates: a New York customer; warehouses in New Jersey (7 km), Boston (302 km), Chicago (1,143 km).
const NYC = { latitude: 40.7484, longitude: -73.9967 };
const SITES = {
  nj: { latitude: 40.791, longitude: -74.0634 },
  bos: { latitude: 42.3576, longitude: -71.0684 },
  chi: { latitude: 41.8858, longitude: -87.6181 },
};
const stock = (productId: string, warehouseId: keyof typeof SITES, available: number): StockCandidate => ({ productId, warehouseId, available, ...SITES[warehouseId] });
const ids = (order: Map<string, StockCandidate[]>, productId: string) => order.get(productId)!.map((c) => c.warehouseId);

describe('candidateOrder', () => {
  it('puts the nearest warehouse able to ship the whole order first, even past a nearer one', () => {
    const candidates = [stock('a', 'nj', 5), stock('a', 'chi', 5), stock('b', 'chi', 5), stock('a', 'bos', 5), stock('b', 'bos', 5)];
    const order = candidateOrder(candidates, [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 1 }], NYC);
    expect(ids(order, 'a')).toEqual(['bos', 'nj', 'chi']);
    expect(ids(order, 'b')).toEqual(['bos', 'chi']);
  });

  it('without a whole-order warehouse, orders each line by distance among those holding the whole line', () => {
    const candidates = [stock('a', 'chi', 5), stock('a', 'nj', 5), stock('b', 'bos', 5)];
    const order = candidateOrder(candidates, [{ productId: 'a', quantity: 3 }, { productId: 'b', quantity: 3 }], NYC);
    expect(ids(order, 'a')).toEqual(['nj', 'chi']);
    expect(ids(order, 'b')).toEqual(['bos']);
  });

  it('prefers a farther warehouse holding the whole line over splitting at a nearer one', () => {
    const candidates = [stock('a', 'nj', 3), stock('a', 'chi', 10), stock('a', 'bos', 1)];
    expect(ids(candidateOrder(candidates, [{ productId: 'a', quantity: 5 }], NYC), 'a')).toEqual(['chi', 'nj', 'bos']);
  });

  it('skips warehouses with nothing sellable', () => {
    const candidates = [stock('a', 'nj', 0), stock('a', 'chi', 2)];
    expect(ids(candidateOrder(candidates, [{ productId: 'a', quantity: 1 }], NYC), 'a')).toEqual(['chi']);
    expect(ids(candidateOrder([], [{ productId: 'a', quantity: 1 }], NYC), 'a')).toEqual([]);
  });
});

describe('planLine', () => {
  it('splits nearest first and reports a shortfall', () => {
    const ordered = [stock('a', 'nj', 3), stock('a', 'bos', 4), stock('a', 'chi', 9)];
    expect(planLine(ordered, 5)).toEqual([
      { warehouseId: 'nj', quantity: 3 },
      { warehouseId: 'bos', quantity: 2 },
    ]);
    expect(planLine(ordered, 2)).toEqual([{ warehouseId: 'nj', quantity: 2 }]);
    expect(planLine(ordered.slice(0, 2), 8)).toBeUndefined();
  });
});

describe('mergeLines', () => {
  it('sums repeated products and refuses non-positive or fractional quantities', () => {
    expect(mergeLines([{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 2 }, { productId: 'a', quantity: 3 }])).toEqual([
      { productId: 'a', quantity: 4 },
      { productId: 'b', quantity: 2 },
    ]);
    expect(mergeLines([{ productId: 'a', quantity: 0 }])).toBe('invalid');
    expect(mergeLines([{ productId: 'a', quantity: 1.5 }])).toBe('invalid');
  });
});
