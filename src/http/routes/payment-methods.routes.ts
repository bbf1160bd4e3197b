import { Type } from 'typebox';
import type { PaymentMethod } from '../../modules/payments/index.ts';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { IdParams, PageQuery, responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const PaymentMethodSchema = Type.Object({ id: Uuid, brand: Type.String(), last4: Type.String(), created_at: Timestamp });
/** The new-method body, shared with the storefront's card form. */
export const NewPaymentMethodBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false, examples: [{ token: 'tok_visa' }] });
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
        operationId: 'createPaymentMethod',
        summary: 'Save a payment method from a PSP token (card details never reach Bazaar)',
        description: 'Sandbox tokens: tok_visa (succeeds), tok_decline, tok_timeout, tok_flaky (fails twice, then succeeds), tok_slow (succeeds after a long delay).',
        body: NewPaymentMethodBody,
        response: responses({ 201: PaymentMethodSchema }, { 401: ['unauthenticated'], 422: ['invalid_payment_method', 'too_many_payment_methods'] }),
      },
    },
    async (request, reply) => reply.status(201).send(present(await payments.addMethod(principalOf(request), request.body.token))),
  );

  app.get(
    '/v1/payment-methods',
    {
      ...common,
      schema: {
        ...common.schema,
        operationId: 'listPaymentMethods',
        summary: 'My saved payment methods, oldest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: responses({ 200: Type.Object({ payment_methods: Type.Array(PaymentMethodSchema), next_cursor: Type.Union([Type.String(), Type.Null()]) }) }, { 400: ['invalid_cursor'], 401: ['unauthenticated'] }),
      },
    },
    async (request) => {
      const page = await payments.listMethods(principalOf(request), request.query.cursor, request.query.limit ?? 20);
      return { payment_methods: page.methods.map(present), next_cursor: page.nextCursor };
    },
  );

  app.delete(
    '/v1/payment-methods/:id',
    { ...common, schema: { ...common.schema, operationId: 'deletePaymentMethod', summary: 'Forget a saved payment method', params: IdParams, response: responses({ 204: Type.Null() }, { 401: ['unauthenticated'], 404: ['payment_method_not_found'] }) } },
    async (request, reply) => {
      await payments.deleteMethod(principalOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
};
