import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffMs } from './consumer.runner.ts';
import { ConsumerRegistry, partitionOf, type RegisteredConsumer } from './events.bus.ts';

const consumer = (name: string, types: string[] = ['orders.order.placed']): RegisteredConsumer => ({
  name,
  types: new Set(types),
  apply: async () => true,
});

describe('partitionOf', () => {
  it('maps an aggregate to the same partition every time, within range', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 64 }), (id, partitions) => {
        const p = partitionOf(id, partitions);
        expect(p).toBe(partitionOf(id, partitions));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(partitions);
      }),
    );
  });

  it('spreads aggregates over every partition', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`0190a4c2-0000-7000-8000-${String(i).padStart(12, '0')}`, 4)));
    expect([...used].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('backoffMs', () => {
  it('doubles from the base per attempt and is capped at ten minutes', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 100))).toEqual([100, 200, 400, 800]);
    expect(backoffMs(40, 1000)).toBe(600_000);
  });
});

describe('ConsumerRegistry', () => {
  it('refuses names JetStream cannot carry, duplicates (also after dot mapping) and empty subscriptions', () => {
    const registry = new ConsumerRegistry();
    registry.add(consumer('fulfillment.orders'));
    expect(() => registry.add(consumer('bad name'))).toThrow(expect.objectContaining({ code: 'invalid_consumer_name' }));
    expect(() => registry.add(consumer('fulfillment.orders'))).toThrow(expect.objectContaining({ code: 'duplicate_consumer' }));
    expect(() => registry.add(consumer('fulfillment_orders'))).toThrow(expect.objectContaining({ code: 'duplicate_consumer' }));
    expect(() => registry.add(consumer('idle', []))).toThrow(expect.objectContaining({ code: 'invalid_consumer' }));
    expect(registry.all().map((c) => c.name)).toEqual(['fulfillment.orders']);
  });

  it('lists the subscribers of a type and tells listeners about late registrations', () => {
    const registry = new ConsumerRegistry();
    const added: string[] = [];
    registry.onAdd((c) => added.push(c.name));
    registry.add(consumer('a', ['orders.order.placed']));
    registry.add(consumer('b', ['orders.order.placed', 'orders.order.cancelled']));
    expect(registry.subscribersOf('orders.order.cancelled').map((c) => c.name)).toEqual(['b']);
    expect(registry.subscribersOf('orders.order.placed').map((c) => c.name)).toEqual(['a', 'b']);
    expect(added).toEqual(['a', 'b']);
  });
});
