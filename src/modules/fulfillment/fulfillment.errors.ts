import { conflict, notFound, unprocessable } from '../../platform/errors.ts';
import type { ShipmentStatus } from './shipment-states.ts';

export const shipmentNotFound = (id: string) => notFound('shipment', id);

export const invalidTransition = (from: ShipmentStatus, to: ShipmentStatus) =>
  conflict('invalid_shipment_transition', `A ${from} shipment cannot become ${to}`, { from, to });

export const orderCancelled = (orderId: string) =>
  conflict('order_cancelled', 'The order was cancelled; its shipments cannot be packed', { order_id: orderId });

/** A report names a carrier Bazaar does not know (422: the shipment exists, the carrier in the body does not). */
export const unknownCarrier = (carrier: string) => unprocessable('carrier_not_found', `No active carrier "${carrier}"`, { carrier });

/** A webhook for a carrier with no configured secret. */
export const webhookCarrierNotFound = (carrier: string) => notFound('carrier', carrier, { carrier });
