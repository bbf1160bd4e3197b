import { Type } from 'typebox';
import { invalid } from '../../platform/errors.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { Money, responses, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,255}$/;

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
        summary: 'Buy what is in the cart',
        description:
          'Reserves stock, charges the payment method and creates the order, or answers why not and leaves nothing behind. ' +
          'Send a unique `Idempotency-Key` header per purchase attempt: the same key with the same body returns the same answer ' +
          '(also while the first request is still running); with a different body it is refused. If prices changed since the items ' +
          'were added, the answer is 409 `price_changed` with the new total; send it back as `expected_total` to accept it. ' +
          'Products a shop sells in a flash sale may ask for a human check: then the answer is 403 `challenge_required` with the ' +
          "provider's `site_key`; render its widget and send the token it yields as `challenge_token` (a failed or reused token is " +
          '403 `challenge_failed`). With the sandbox provider (outside production), any token starting with `pass_` passes once.',
        security: bearerSecurity,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
        body: Type.Object(
          {
            shipping_address_id: Uuid,
            payment_method_id: Uuid,
            expected_total: Type.Optional(Money),
            idempotency_key: Type.Optional(Type.String({ maxLength: 255 })),
            challenge_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'Token of a solved human check (CAPTCHA), when the cart asks for one' })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: CheckoutResult }, [401, 402, 403, 404, 409, 422, 429, 503]),
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'] ?? request.body.idempotency_key;
      if (!key) throw invalid('idempotency_key_required', 'Send an Idempotency-Key header (a unique id per purchase attempt, e.g. a UUID)');
      if (!IDEMPOTENCY_KEY.test(key)) throw invalid('invalid_idempotency_key', 'Idempotency-Key must be 8–255 characters of letters, digits and _ . : -');
      if (request.headers['idempotency-key'] && request.body.idempotency_key && request.body.idempotency_key !== request.headers['idempotency-key']) {
        throw invalid('invalid_idempotency_key', 'The Idempotency-Key header and body field differ');
      }
      const b = request.body;
      const answer = await checkout.checkout(principalOf(request), key, {
        shippingAddressId: b.shipping_address_id,
        paymentMethodId: b.payment_method_id,
        ...(b.expected_total ? { expectedTotal: b.expected_total } : {}),
        ...(b.challenge_token ? { challengeToken: b.challenge_token } : {}),
        clientIp: request.ip,
      });
      const body = answer.body as { error?: Record<string, unknown> };
      if (body.error) body.error.request_id = String(request.id);
      return reply.status(answer.status).header('idempotency-key', key).send(body);
    },
  );
};
