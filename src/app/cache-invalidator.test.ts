import { describe, expect, it } from 'vitest';
import { EventTypes, type OutboxEvent } from '../modules/events/index.ts';
import { tagsForEvent } from './cache-invalidator.ts';

const event = <T extends Parameters<typeof tagsForEvent>[0]['type']>(type: T, payload: OutboxEvent<T>['payload']) =>
  ({ id: 'e', type, version: 1, aggregateType: 'product', aggregateId: 'a', payload, occurredAt: new Date() }) as Parameters<typeof tagsForEvent>[0];

const product = { product_id: 'P', seller_id: 's', status: 'active', price_amount: 1, currency: 'USD', category_id: 3 };

describe('cache tags of each event', () => {
  it('drops a product page and the lists showing it on a price change; lists also when membership changes', () => {
    expect(tagsForEvent(event(EventTypes.productUpdated, { ...product, change: 'updated' }))).toEqual(['product:p']);
    expect(tagsForEvent(event(EventTypes.productUpdated, { ...product, change: 'created' }))).toEqual(['product:p', 'list:products']);
    expect(tagsForEvent(event(EventTypes.productUpdated, { ...product, change: 'status_changed' }))).toEqual(['product:p', 'list:products']);
    expect(tagsForEvent(event(EventTypes.productUpdated, { ...product, change: 'updated', previous_category_id: 2 }))).toEqual(['product:p', 'list:products']);
  });

  it('drops the family pages a product joins or leaves', () => {
    expect(tagsForEvent(event(EventTypes.productUpdated, { ...product, change: 'updated', family_id: 'F', previous_family_id: 'G' }))).toEqual([
      'product:p',
      'family:f',
      'family:g',
    ]);
  });

  it('drops the product (page and lists) on a stock change, the family page on a family change, the tree on a category change', () => {
    expect(tagsForEvent(event(EventTypes.stockChanged, { product_id: 'P', available: 3 }))).toEqual(['product:p']);
    expect(tagsForEvent(event(EventTypes.familyUpdated, { family_id: 'F', seller_id: 's', change: 'updated', status: 'active', product_ids: ['x'] }))).toEqual(['family:f']);
    expect(tagsForEvent(event(EventTypes.categoryUpdated, { category_id: 4, parent_id: null, change: 'created' }))).toEqual(['categories']);
  });
});
