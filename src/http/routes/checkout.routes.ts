import { Type } from 'typebox';
import { invalid } from '../../platform/errors.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { Money, MoneyIn, responses, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';
import { ERROR_CODE_KEYWORD } from '../validation.ts';

const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_.:-]{8,255}$';
/** What an Idempotency-Key may look like; the storefront's place-order form checks its hidden key with it. */
export const IDEMPOTENCY_KEY = new RegExp(IDEMPOTENCY_KEY_PATTERN);

const IdempotencyHeaders = Type.Object(
  {
    'idempotency-key': Type.String({
      pattern: IDEMPOTENCY_KEY_PATTERN,
      [ERROR_CODE_KEYWORD]: 'invalid_idempotency_key',
      description: 'A unique id per purchase attempt (e.g. a UUID): 8–255 letters, digits and _ . : -. The same key with the same body gets the same answer.',
      examples: ['0190a7e8-5b6c-7d8e-9f0a-1b2c3d4e5f60'],
    }),
  },
  { [ERROR_CODE_KEYWORD]: 'idempotency_key_required' },
);

/** The checkout body, shared with the storefront's place-order form. */
export const CheckoutBody = Type.Object(
  {
    shipping_address_id: Uuid,
    payment_method_id: Uuid,
    expected_total: Type.Optional(MoneyIn),
    idempotency_key: Type.Optional(Type.String({ maxLength: 255, deprecated: true, description: 'Same as the Idempotency-Key header, for clients that cannot set headers' })),
    challenge_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Token of a solved human check (CAPTCHA), when the cart asks for one' })),
  },
  {
    additionalProperties: false,
    examples: [
      { shipping_address_id: '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b', payment_method_id: '0190a7e8-3a1b-7c2d-9e4f-0a1b2c3d4e5f' },
      { shipping_address_id: '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b', payment_method_id: '0190a7e8-3a1b-7c2d-9e4f-0a1b2c3d4e5f', expected_total: { amount: 5998, currency: 'USD' } },
    ],
  },
);

const CheckoutResult = Type.Object({
  order_id: Uuid,
  status: Type.Literal('placed'),
  estimated_delivery: Type.String({ format: 'date' }),
  total_charged: Money,
});

export const checkoutRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { checkout } = ctx.services;

  app.post(
    '/v1/checkout',
    {
      preHandler: requireAuth(),
      config: { rateLimit: { max: ctx.config.rateLimitPerMinute, timeWindow: '1 minute' } },
      schema: {
        tags: ['checkout'],
        operationId: 'checkout',
        summary: 'Buy what is in the cart',
        description:
          'Reserves stock, charges the payment method and creates the order, or answers why not and leaves nothing behind. ' +
          'Send a unique `Idempotency-Key` header per purchase attempt: the same key with the same body returns the same answer ' +
          '(also while the first request is still running, and refusals such as `out_of_stock` included, even after stock returns); ' +
          'once its checkout started, the key with a different body is refused. A 503 is final for its key too: try again with a new key. If prices changed since the items ' +
          'were added, the answer is 409 `price_changed` with the new total; send it back as `expected_total` to accept it. ' +
          'Products a shop sells in a flash sale may ask for a human check: then the answer is 403 `challenge_required` with the ' +
          "provider's `site_key`; render its widget and send the token it yields as `challenge_token` (a failed or reused token is " +
          '403 `challenge_failed`). With the sandbox provider (outside production), any token starting with `pass_` passes once.',
        security: bearerSecurity,
        headers: IdempotencyHeaders,
        body: CheckoutBody,
        response: responses(
          { 201: CheckoutResult },
          {
            400: ['idempotency_key_required', 'invalid_idempotency_key'],
            401: ['unauthenticated'],
            402: ['payment_declined'],
            403: ['challenge_failed', 'challenge_required'],
            404: ['address_not_found', 'payment_method_not_found'],
            409: ['checkout_in_progress', 'out_of_stock', 'price_changed'],
            422: ['cart_empty', 'currency_mismatch', 'idempotency_key_reused', 'order_total_too_large', 'payment_method_not_found', 'product_unavailable', 'purchase_limit_exceeded'],
            429: ['rate_limited'],
            503: ['challenge_unavailable', 'checkout_interrupted', 'payment_unavailable'],
          },
        ),
      },
      // The key may also come in the body (deprecated); the header is what the schema requires and documents.
      preValidation: async (request) => {
        const fromBody = (request.body as { idempotency_key?: unknown } | null)?.idempotency_key;
        const fromHeader = request.headers['idempotency-key'];
        if (typeof fromBody !== 'string') return;
        if (fromHeader === undefined) request.headers['idempotency-key'] = fromBody;
        else if (fromHeader !== fromBody) throw invalid('invalid_idempotency_key', 'The Idempotency-Key header and body field differ');
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const b = request.body;
      reply.header('idempotency-key', key);
      const placed = await checkout.checkout(principalOf(request), key, {
        shippingAddressId: b.shipping_address_id,
        paymentMethodId: b.payment_method_id,
        ...(b.expected_total ? { expectedTotal: b.expected_total } : {}),
        ...(b.challenge_token ? { challengeToken: b.challenge_token } : {}),
        clientIp: request.ip,
      });
      return reply.status(201).send(placed);
    },
  );
};
