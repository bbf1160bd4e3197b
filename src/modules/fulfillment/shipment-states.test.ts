import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canTransition, orderStatusFor, ORDER_PROGRESS, SHIPMENT_TRANSITIONS, type ShipmentStatus } from './shipment-states.ts';

const STATUSES = Object.keys(SHIPMENT_TRANSITIONS) as ShipmentStatus[];

describe('shipment state machine', () => {
  it('allows exactly the forward path and cancelling before packing', () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    expect(allowed.sort()).toEqual(
      ['pending->picked', 'picked->packed', 'packed->shipped', 'shipped->delivered', 'pending->cancelled', 'picked->cancelled'].sort(),
    );
  });

  it('never allows staying put, going back, or leaving delivered or cancelled', () => {
    for (const status of STATUSES) expect(canTransition(status, status)).toBe(false);
    expect(canTransition('shipped', 'packed')).toBe(false);
    expect(canTransition('packed', 'cancelled')).toBe(false);
    expect(SHIPMENT_TRANSITIONS.delivered).toEqual([]);
    expect(SHIPMENT_TRANSITIONS.cancelled).toEqual([]);
  });
});

describe('order status as the worst case of its shipments', () => {
  it('maps shipment progress to order progress', () => {
    expect(orderStatusFor(['pending'])).toBe('processing');
    expect(orderStatusFor(['picked', 'delivered'])).toBe('processing');
    expect(orderStatusFor(['packed', 'shipped'])).toBe('packed');
    expect(orderStatusFor(['shipped', 'delivered'])).toBe('shipped');
    expect(orderStatusFor(['delivered', 'delivered'])).toBe('delivered');
  });

  it('ignores cancelled shipments and has no answer without a live one', () => {
    expect(orderStatusFor(['cancelled', 'delivered'])).toBe('delivered');
    expect(orderStatusFor(['cancelled'])).toBeUndefined();
    expect(orderStatusFor([])).toBeUndefined();
  });

  it('is never ahead of any live shipment (property)', () => {
    const live = fc.constantFrom<ShipmentStatus>('pending', 'picked', 'packed', 'shipped', 'delivered');
    fc.assert(
      fc.property(fc.array(fc.oneof(live, fc.constant<ShipmentStatus>('cancelled')), { minLength: 1, maxLength: 6 }), (statuses) => {
        const result = orderStatusFor(statuses);
        const liveOnes = statuses.filter((s) => s !== 'cancelled');
        if (liveOnes.length === 0) return result === undefined;
        const rank = ORDER_PROGRESS.indexOf(result!);
        const rankOf = (s: ShipmentStatus) => ORDER_PROGRESS.indexOf(orderStatusFor([s])!);
        return liveOnes.every((s) => rankOf(s) >= rank) && liveOnes.some((s) => rankOf(s) === rank);
      }),
    );
  });
});
