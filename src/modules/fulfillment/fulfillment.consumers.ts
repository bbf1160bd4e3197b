import type { Kysely } from 'kysely';
import { applyOnce, EventTypes, type PlainConsumer } from '../events/index.ts';
import type { FulfillmentService } from './fulfillment.service.ts';

export const FULFILLMENT_ORDERS_CONSUMER = 'fulfillment.orders';
export const FULFILLMENT_ORDER_STATUS_CONSUMER = 'fulfillment.order-status';

type FulfillmentConsumers = [
  PlainConsumer<typeof EventTypes.orderPlaced | typeof EventTypes.orderCancelled>,
  PlainConsumer<typeof EventTypes.shipmentCreated | typeof EventTypes.shipmentStatusChanged>,
];

/**
 * The fulfillment pipeline's consumers.
 *
 * `fulfillment.orders` takes an order's placed and cancelled events (one consumer, so an
 * order's cancel is never handled before its placement): placed creates one shipment per
 * warehouse and moves the order to PROCESSING; cancelled cancels its pending and picked
 * shipments. Shipment writes run in `applyOnce` on the orders database (recorded by event
 * id), while the order transition goes through the orders port in its own transaction
 * after that commit; it is a conditional update, so a redelivery repeats it harmlessly.
 * (Warehouse and carrier reads happen before the transaction: on PGlite's single
 * connection they would queue behind it.)
 *
 * `fulfillment.order-status` keeps the order at the worst case of its shipments; it
 * re-reads them on every event, so it is idempotent and insensitive to event order.
 */
export function fulfillmentConsumers(fulfillment: FulfillmentService, ordersDb: Kysely<any>): FulfillmentConsumers {
  return [
    {
      name: FULFILLMENT_ORDERS_CONSUMER,
      types: [EventTypes.orderPlaced, EventTypes.orderCancelled],
      async handle(event) {
        if (event.type === EventTypes.orderPlaced) {
          const plans = await fulfillment.planShipments(event.payload, event.id);
          await applyOnce(ordersDb, FULFILLMENT_ORDERS_CONSUMER, event.id, async (trx) => {
            await fulfillment.createShipments(trx, plans);
          });
          await fulfillment.startProcessing(event.payload.order_id);
        } else {
          await applyOnce(ordersDb, FULFILLMENT_ORDERS_CONSUMER, event.id, async (trx) => {
            await fulfillment.cancelShipmentsOfOrder(trx, event.payload.order_id);
          });
        }
      },
    },
    {
      name: FULFILLMENT_ORDER_STATUS_CONSUMER,
      types: [EventTypes.shipmentCreated, EventTypes.shipmentStatusChanged],
      async handle(event) {
        await fulfillment.syncOrderStatus(event.payload.order_id);
      },
    },
  ];
}
