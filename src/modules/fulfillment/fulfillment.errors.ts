import { AppError, conflict, unprocessable } from '../../platform/errors.ts';
import type { ShipmentStatus } from './shipment-states.ts';

export const shipmentNotFound = (id: string) => new AppError('shipment_not_found', 'not_found', `Shipment ${id} was not found`, { id });

export const invalidTransition = (from: ShipmentStatus, to: ShipmentStatus) =>
  conflict('invalid_shipment_transition', `A ${from} shipment cannot become ${to}`, { from, to });

export const orderCancelled = (orderId: string) =>
  conflict('order_cancelled', 'The order was cancelled; its shipments cannot be packed', { order_id: orderId });

export const unknownCarrier = (carrier: string) => unprocessable('unknown_carrier', `No active carrier "${carrier}"`, { carrier });
