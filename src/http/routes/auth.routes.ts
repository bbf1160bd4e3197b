import { Type } from 'typebox';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { responses, Timestamp, Uuid } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 256 });

export const Customer = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('customer'), Type.Literal('seller'), Type.Literal('admin')]),
  created_at: Timestamp,
});

const TokenResponse = Type.Object({ token: Type.String(), expires_at: Timestamp });

export const authRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { identity } = ctx.services;
  const rateLimit = { max: ctx.config.rateLimitPerMinute, timeWindow: '1 minute' };

  app.post(
    '/v1/auth/register',
    {
      config: { rateLimit },
      schema: {
        tags: ['identity'],
        summary: 'Create a customer account and sign in',
        body: Type.Object(
          { email: Email, password: Password, name: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: responses({ 201: Type.Object({ customer: Customer, token: Type.String(), expires_at: Timestamp }) }, [409, 429]),
      },
    },
    async (request, reply) => {
      const { account, token, expiresAt } = await identity.register(request.body);
      return reply.status(201).send({
        customer: { id: account.id, email: account.email, name: account.name, role: account.role, created_at: account.createdAt.toISOString() },
        token,
        expires_at: expiresAt.toISOString(),
      });
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { rateLimit },
      schema: {
        tags: ['identity'],
        summary: 'Sign in with email and password',
        body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }),
        response: responses({ 200: TokenResponse }, [401, 429]),
      },
    },
    async (request) => {
      const { token, expiresAt } = await identity.login(request.body);
      return { token, expires_at: expiresAt.toISOString() };
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      preHandler: requireAuth(),
      schema: { tags: ['identity'], summary: 'Revoke the token used for this request', security: bearerSecurity, response: responses({ 204: Type.Null() }, [401]) },
    },
    async (request, reply) => {
      await identity.logout(principalOf(request));
      return reply.status(204).send();
    },
  );

  app.get(
    '/v1/me',
    {
      preHandler: requireAuth(),
      schema: { tags: ['identity'], summary: 'The signed-in account', security: bearerSecurity, response: responses({ 200: Customer }, [401]) },
    },
    async (request) => {
      const account = await identity.getAccount(principalOf(request).accountId);
      return { id: account.id, email: account.email, name: account.name, role: account.role, created_at: account.createdAt.toISOString() };
    },
  );
};
