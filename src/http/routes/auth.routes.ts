import { Type } from 'typebox';
import { bearerSecurity, principalOf, requireAuth } from '../plugins/auth.ts';
import { accountBucket, limiter, perClientAddress } from '../plugins/rate-limits.ts';
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

/** Request bodies, shared with the storefront's forms so both accept exactly the same input. */
export const RegisterBody = Type.Object(
  { email: Email, password: Password, name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, examples: [{ email: 'ada@example.com', password: 'correct horse battery', name: 'Ada Lovelace' }] },
);
export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false, examples: [{ email: 'ada@example.com', password: 'correct horse battery' }] },
);

const TokenResponse = Type.Object({ token: Type.String(), expires_at: Timestamp });

export const authRoutes: RoutesPlugin = (ctx) => async (app) => {
  const { identity } = ctx.services;
  // Counted per client address whatever token is sent (register hands out tokens), and sign-in also per
  // target account over all addresses; both refuse (503) rather than go unlimited when the counters are down.
  const perAddress = (name: string) =>
    limiter(app, { name, max: ctx.config.rateLimitPerMinute, timeWindowMs: 60_000, key: perClientAddress, onStoreError: 'closed' });
  const perAccount = limiter(app, {
    name: 'login:account',
    max: ctx.config.loginAttemptsPerAccount,
    timeWindowMs: 15 * 60_000,
    key: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      return typeof email === 'string' ? accountBucket(email) : undefined;
    },
    onStoreError: 'closed',
  });
  const limited = { 429: ['rate_limited'], 503: ['rate_limit_unavailable'] };

  app.post(
    '/v1/auth/register',
    {
      config: { ignoreBearer: true },
      onRequest: perAddress('register:address'),
      schema: {
        tags: ['identity'],
        operationId: 'register',
        summary: 'Create a customer account and sign in',
        body: RegisterBody,
        response: responses({ 201: Type.Object({ customer: Customer, token: Type.String(), expires_at: Timestamp }) }, { 409: ['email_taken'], ...limited }),
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
      config: { ignoreBearer: true },
      onRequest: perAddress('login:address'),
      preHandler: perAccount,
      schema: {
        tags: ['identity'],
        operationId: 'login',
        summary: 'Sign in with email and password',
        body: LoginBody,
        response: responses({ 200: TokenResponse }, { 401: ['invalid_credentials'], ...limited }),
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
      schema: { tags: ['identity'], operationId: 'logout', summary: 'Revoke the token used for this request', security: bearerSecurity, response: responses({ 204: Type.Null() }, [401]) },
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
      schema: { tags: ['identity'], operationId: 'getMe', summary: 'The signed-in account', security: bearerSecurity, response: responses({ 200: Customer }, [401]) },
    },
    async (request) => {
      const account = await identity.getAccount(principalOf(request).accountId);
      return { id: account.id, email: account.email, name: account.name, role: account.role, created_at: account.createdAt.toISOString() };
    },
  );
};
