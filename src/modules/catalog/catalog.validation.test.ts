import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { checkAttributes, checkImages, checkPrice, checkSlug, normalizeProductFields } from './catalog.validation.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return 'ok';
};

describe('catalog validation', () => {
  it('accepts exactly the integer prices from 0 to 100,000,000', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: false }), (amount) => {
        const ok = Number.isInteger(amount) && amount >= 0 && amount <= 100_000_000;
        expect(codeOf(() => checkPrice({ amount, currency: 'USD' }))).toBe(ok ? 'ok' : 'invalid_price');
      }),
    );
    expect(codeOf(() => checkPrice({ amount: 100_000_000, currency: 'USD' }))).toBe('ok');
    expect(codeOf(() => checkPrice({ amount: 1, currency: 'usd' }))).toBe('invalid_currency');
  });

  it('allows http(s) and root-relative image URLs only, at most 20', () => {
    expect(codeOf(() => checkImages(['https://cdn.example.com/a.jpg', '/img/abc.png']))).toBe('ok');
    for (const bad of ['javascript:alert(1)', '//evil.example/x.png', 'ftp://x/y', 'https://a b', '']) {
      expect(codeOf(() => checkImages([bad]))).toBe('invalid_images');
    }
    expect(codeOf(() => checkImages(Array.from({ length: 21 }, (_, i) => `/img/${i}.png`)))).toBe('invalid_images');
  });

  it('allows at most 50 scalar attributes', () => {
    expect(codeOf(() => checkAttributes({ color: 'red', size: 42, vegan: true }))).toBe('ok');
    expect(codeOf(() => checkAttributes({ nested: { a: 1 } } as never))).toBe('invalid_attributes');
    expect(codeOf(() => checkAttributes({ list: [1] } as never))).toBe('invalid_attributes');
    expect(codeOf(() => checkAttributes(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))))).toBe('invalid_attributes');
  });

  it('normalizes titles and brands and checks slugs', () => {
    expect(normalizeProductFields({ title: '  Shoe  ', brand: '  ' })).toEqual({ title: 'Shoe', brand: null });
    expect(codeOf(() => normalizeProductFields({ title: '   ' }))).toBe('invalid_title');
    expect(codeOf(() => checkSlug('running-shoes'))).toBe('ok');
    for (const bad of ['Running', 'a--b', '-a', 'a/b', 'a_b']) expect(codeOf(() => checkSlug(bad))).toBe('invalid_slug');
  });
});
