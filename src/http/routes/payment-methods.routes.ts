import { Type } from 'typebox';
import type { PaymentMethod } from '../../modules/payments/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const PaymentMethodSchema = Type.Object({ id: Uuid, brand: Type.String(), last4: Type.String(), created_at: Timestamp });
const present = (m: PaymentMethod) => ({ id: m.id, brand: m.brand, last4: m.last4, created_at: m.createdAt.toISOString() });

export const paymentMethodRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { payments } = ctx.services;
  const common = { preHandler: requireAuth(), schema: { tags: ['payments'], security: bearerSecurity } };

  app.post(
    '/v1/payment-methods',
    {
      ...common,
      schema: {
        ...common.schema,
        summary: 'Save a payment method from a PSP token (card details never reach Bazaar)',
        description: 'Sandbox tokens: tok_visa (succeeds), tok_decline, tok_timeout, tok_flaky (fails twice, then succeeds), tok_slow (succeeds after a long delay).',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: responses({ 201: PaymentMethodSchema }, [401, 422]),
      },
    },
    async (request, reply) => reply.status(201).send(present(await payments.addMethod(principalOf(request), request.body.token))),
  );

  app.get(
    '/v1/payment-methods',
    { ...common, schema: { ...common.schema, summary: 'My saved payment methods', response: responses({ 200: Type.Object({ payment_methods: Type.Array(PaymentMethodSchema) }) }, [401]) } },
    async (request) => ({ payment_methods: (await payments.listMethods(principalOf(request))).map(present) }),
  );

  app.delete(
    '/v1/payment-methods/:id',
    { ...common, schema: { ...common.schema, summary: 'Forget a saved payment method', params: IdParams, response: responses({ 204: Type.Null() }, [401, 404]) } },
    async (request, reply) => {
      await payments.deleteMethod(principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
};
