import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { shipmentNotFound, webhookCarrierNotFound } from './fulfillment.errors.ts';
import type { FulfillmentService } from './fulfillment.service.ts';
import type { ReportResult } from './fulfillment.types.ts';

/** `sha256=<hex>`: HMAC-SHA256 with the carrier's secret over `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'x-carrier-signature';
/** Unix seconds when the carrier signed the request; outside the tolerance window it is refused. */
export const TIMESTAMP_HEADER = 'x-carrier-timestamp';

/** Signs a webhook body the way carriers must (also what tests and the docs use). */
export function signCarrierWebhook(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

const invalidSignature = (message = 'The webhook signature does not verify') => new AppError('invalid_signature', 'unauthenticated', message);

/** What a carrier reports: its delivery id makes retries and replays recognisable. */
export interface CarrierEvent {
  deliveryId: string;
  type: 'shipped' | 'delivered';
  trackingNumber: string;
  /** Bazaar's shipment id, when the carrier has it (from the label request); else found by tracking number. */
  shipmentId?: string;
  occurredAt?: Date;
}

export interface CarrierWebhookOptions {
  /** Secret per carrier id (CARRIER_WEBHOOK_SECRETS). */
  secrets: Readonly<Record<string, string>>;
  /** Accepted distance between the signed timestamp and now (CARRIER_WEBHOOK_TOLERANCE_SECONDS). */
  toleranceSeconds: number;
}

/**
 * Carrier webhooks: authenticate the raw request (per-carrier HMAC secret, signed
 * timestamp within a tolerance window), then apply the event through the same
 * `FulfillmentService.report` as admin reports, with the delivery id recorded in the same
 * transaction as the transition, so a replayed or retried delivery changes nothing.
 *
 * Error codes: `carrier_not_found` (404: no webhook secret for that carrier), `invalid_signature`, `signature_expired` (401),
 * `shipment_not_found` (404), plus those of `FulfillmentService.report`.
 */
export class CarrierWebhookService {
  constructor(
    private readonly fulfillment: FulfillmentService,
    private readonly clock: Clock,
    private readonly options: CarrierWebhookOptions,
  ) {}

  /** Checks signature and timestamp over the raw body; throws before anything is parsed or written. */
  verify(carrier: string, rawBody: Buffer, signature: string | undefined, timestamp: string | undefined): void {
    const secret = Object.hasOwn(this.options.secrets, carrier) ? this.options.secrets[carrier] : undefined;
    if (!secret) throw webhookCarrierNotFound(carrier);
    if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) throw invalidSignature(`Send ${SIGNATURE_HEADER} and ${TIMESTAMP_HEADER}`);
    const expected = Buffer.from(signCarrierWebhook(secret, timestamp, rawBody));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidSignature();
    const skewSeconds = Math.abs(this.clock.now().getTime() / 1000 - Number(timestamp));
    if (skewSeconds > this.options.toleranceSeconds) {
      throw new AppError('signature_expired', 'unauthenticated', `The signed timestamp is outside the ${this.options.toleranceSeconds} s window`);
    }
  }

  /** Applies a verified event. A delivery id seen before answers `duplicate: true` and changes nothing. */
  async apply(carrier: string, event: CarrierEvent): Promise<ReportResult> {
    const shipment = event.shipmentId
      ? await this.fulfillment.getShipment(event.shipmentId).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'shipment_not_found') return undefined;
          throw error;
        })
      : await this.fulfillment.findByTracking(carrier, event.trackingNumber);
    // A carrier may only report on parcels it holds (or, when shipping, one not yet handed to another carrier).
    if (!shipment || (shipment.carrier !== null && shipment.carrier !== carrier)) {
      throw shipmentNotFound(event.shipmentId ?? event.trackingNumber);
    }
    return this.fulfillment.report(
      shipment.id,
      {
        type: event.type,
        carrier,
        trackingNumber: event.trackingNumber,
        ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
        source: 'carrier',
      },
      { carrier, deliveryId: event.deliveryId },
    );
  }
}
