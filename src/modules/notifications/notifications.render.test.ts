import { describe, expect, it } from 'vitest';
import { EventTypes, type OutboxEvent } from '../events/index.ts';
import { carrierName, formatDate, formatMoney, renderNotification } from './notifications.render.ts';

const base = { id: '0193a0c0-0000-7000-8000-000000000001', version: 1, occurredAt: new Date('2026-11-20T12:00:00Z') };
const orderId = '0193a0c0-0000-7000-8000-0000abcdef12';
const customerId = '0193a0c0-0000-7000-8000-000000000099';

const shipmentEvent = (to: string, extra: Record<string, unknown> = {}) =>
  ({
    ...base,
    type: EventTypes.shipmentStatusChanged,
    aggregateType: 'shipment',
    aggregateId: 'x',
    payload: { shipment_id: 'x', order_id: orderId, customer_id: customerId, from: 'packed', to, occurred_at: '2026-11-23T15:00:00Z', ...extra },
  }) as OutboxEvent;

describe('notification rendering', () => {
  it('formats money by the currency\'s minor units, dates and carrier names for people', () => {
    expect(formatMoney(2599, 'USD')).toBe('$25.99');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
    expect(formatDate('2026-12-01')).toBe('Tue, Dec 1');
    expect(carrierName('parcelway-ground')).toBe('Parcelway Ground');
  });

  it('renders an order placed with its total and estimate', () => {
    const n = renderNotification({
      ...base,
      type: EventTypes.orderPlaced,
      aggregateType: 'order',
      aggregateId: orderId,
      payload: {
        order_id: orderId,
        customer_id: customerId,
        items: [{ product_id: 'p', warehouse_id: 'w', quantity: 3, unit_price: 1000, title: 'Kettle' }],
        total: 3000,
        currency: 'USD',
        shipping_address: {},
        estimated_delivery: '2026-12-01',
        placed_at: '2026-11-20T12:00:00Z',
      },
    } as OutboxEvent);
    expect(n).toMatchObject({ kind: 'order_placed', customerId, orderId, shipmentId: null, sourceEventId: base.id, title: 'Order #ABCDEF12 placed' });
    expect(n!.body).toBe('Thanks for your order of 3 items ($30.00). Estimated delivery: Tue, Dec 1.');
  });

  it('renders shipped with carrier and tracking, and delivered', () => {
    const shipped = renderNotification(
      shipmentEvent('shipped', { carrier: 'swiftship-express', carrier_name: 'SwiftShip Express', tracking_number: 'SE123456789012', estimated_delivery: '2026-11-25' }),
    );
    expect(shipped).toMatchObject({ kind: 'shipment_shipped', shipmentId: 'x', data: { carrier: 'swiftship-express', tracking_number: 'SE123456789012' } });
    expect(shipped!.body).toBe('Your package is on its way with SwiftShip Express, tracking number SE123456789012. Estimated delivery: Wed, Nov 25.');
    const delivered = renderNotification(shipmentEvent('delivered', { carrier: 'swiftship-express', tracking_number: 'SE123456789012' }));
    expect(delivered).toMatchObject({ kind: 'shipment_delivered' });
    expect(delivered!.body).toContain('was delivered on Mon, Nov 23');
  });

  it('renders a cancellation with its refund', () => {
    const n = renderNotification({
      ...base,
      type: EventTypes.orderCancelled,
      aggregateType: 'order',
      aggregateId: orderId,
      payload: { order_id: orderId, customer_id: customerId, reason: 'changed my mind', refund_amount: 4999, currency: 'EUR', cancelled_at: '2026-11-20T12:00:00Z' },
    } as OutboxEvent);
    expect(n).toMatchObject({ kind: 'order_cancelled', data: { refund: { amount: 4999, currency: 'EUR' } } });
    expect(n!.body).toBe('Your order was cancelled (changed my mind). €49.99 is being refunded to your payment method.');
  });

  it('renders a refund once it went through', () => {
    const n = renderNotification({
      ...base,
      type: EventTypes.orderRefunded,
      aggregateType: 'order',
      aggregateId: orderId,
      payload: { order_id: orderId, customer_id: customerId, amount: 4999, currency: 'EUR', refunded_at: '2026-11-20T12:01:00Z' },
    } as OutboxEvent);
    expect(n).toMatchObject({ kind: 'order_refunded', orderId, customerId, data: { refund: { amount: 4999, currency: 'EUR' } } });
    expect(n!.body).toBe('€49.99 was refunded to your payment method. Depending on your bank it can take a few business days to appear.');
  });

  it('tells the customer nothing about internal steps', () => {
    expect(renderNotification(shipmentEvent('picked'))).toBeUndefined();
    expect(renderNotification(shipmentEvent('packed'))).toBeUndefined();
    expect(renderNotification(shipmentEvent('cancelled'))).toBeUndefined();
  });
});
