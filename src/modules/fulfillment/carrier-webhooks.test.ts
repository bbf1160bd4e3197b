import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { CarrierWebhookService, signCarrierWebhook } from './carrier-webhooks.ts';
import type { FulfillmentService } from './fulfillment.service.ts';

const clock = new ManualClock(new Date('2026-11-20T12:00:00Z'));
const now = () => Math.floor(clock.now().getTime() / 1000);
const service = new CarrierWebhookService({} as FulfillmentService, clock, { secrets: { 'parcelway-ground': 'secret-one-1' }, toleranceSeconds: 300 });
const body = Buffer.from('{"delivery_id":"d1","type":"delivered","tracking_number":"PG123456"}');

const codeOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return `${error.kind}:${error.code}`;
    throw error;
  }
  return 'accepted';
};

describe('carrier webhook signatures', () => {
  it('accepts the HMAC of timestamp and raw body with the carrier secret', () => {
    const ts = String(now());
    expect(codeOf(() => service.verify('parcelway-ground', body, signCarrierWebhook('secret-one-1', ts, body), ts))).toBe('accepted');
  });

  it('rejects another secret, a changed body, a changed timestamp and a missing header', () => {
    const ts = String(now());
    const good = signCarrierWebhook('secret-one-1', ts, body);
    expect(codeOf(() => service.verify('parcelway-ground', body, signCarrierWebhook('other-secret', ts, body), ts))).toBe('unauthenticated:invalid_signature');
    expect(codeOf(() => service.verify('parcelway-ground', Buffer.from(body.toString().replace('d1', 'd2')), good, ts))).toBe('unauthenticated:invalid_signature');
    expect(codeOf(() => service.verify('parcelway-ground', body, good, String(now() + 1)))).toBe('unauthenticated:invalid_signature');
    expect(codeOf(() => service.verify('parcelway-ground', body, undefined, ts))).toBe('unauthenticated:invalid_signature');
    expect(codeOf(() => service.verify('parcelway-ground', body, good, undefined))).toBe('unauthenticated:invalid_signature');
    expect(codeOf(() => service.verify('parcelway-ground', body, 'sha256=zz', ts))).toBe('unauthenticated:invalid_signature');
  });

  it('rejects a correctly signed request outside the replay window', () => {
    const old = String(now() - 301);
    expect(codeOf(() => service.verify('parcelway-ground', body, signCarrierWebhook('secret-one-1', old, body), old))).toBe('unauthenticated:signature_expired');
    const edge = String(now() - 300);
    expect(codeOf(() => service.verify('parcelway-ground', body, signCarrierWebhook('secret-one-1', edge, body), edge))).toBe('accepted');
  });

  it('knows only configured carriers', () => {
    const ts = String(now());
    expect(codeOf(() => service.verify('swiftship-express', body, signCarrierWebhook('secret-one-1', ts, body), ts))).toBe('not_found:carrier_not_found');
    expect(codeOf(() => service.verify('__proto__', body, 'x', ts))).toBe('not_found:carrier_not_found');
  });
});
