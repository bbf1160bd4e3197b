import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createContext, type AppContext } from '../../src/app/context.ts';
import { buildApp } from '../../src/http/app.ts';
import type { CheckoutFaults } from '../../src/modules/checkout/index.ts';
import { ManualClock, type Clock } from '../../src/platform/clock.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabases, type Backend, type TestDatabases } from './databases.ts';

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  databases: TestDatabases;
  close(): Promise<void>;
}

/** A full application (real HTTP layer, real database) on a fresh database of the given backend. */
export async function createTestApp(
  backend: Backend,
  env: Record<string, string> = {},
  options: { clock?: Clock; poolSize?: number; split?: boolean; checkoutFaults?: CheckoutFaults } = {},
): Promise<TestApp> {
  const databases = await createTestDatabases(backend, options);
  const config = loadConfig({ LOG_LEVEL: 'silent', PGLITE_PATH: 'memory://', RATE_LIMIT_PER_MINUTE: '100000', LOGIN_ATTEMPTS_PER_ACCOUNT: '100000', ...env });
  const ctx = await createContext(config, {
    databases,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    collectDefaultMetrics: false,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.checkoutFaults ? { checkoutFaults: options.checkoutFaults } : {}),
  });
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    databases,
    async close() {
      await app.close();
      await ctx.close();
      await databases.close();
    },
  };
}

export { ManualClock };

let counter = 0;
export const uniqueEmail = (prefix = 'shopper') => `${prefix}-${Date.now().toString(36)}-${++counter}@example.com`;

export interface Session {
  token: string;
  accountId: string;
  auth: { authorization: string };
}

export async function registerCustomer(app: FastifyInstance, name = 'Test Shopper'): Promise<Session> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/auth/register',
    payload: { email: uniqueEmail(), password: 'correct horse battery', name },
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`);
  const body = response.json();
  return { token: body.token, accountId: body.customer.id, auth: { authorization: `Bearer ${body.token}` } };
}

export async function createAdminSession(ctx: AppContext, app: FastifyInstance): Promise<Session> {
  const email = uniqueEmail('admin');
  const account = await ctx.services.identity.createAdmin({ email, password: 'admin password 1', name: 'Admin' });
  const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password: 'admin password 1' } });
  if (response.statusCode !== 200) throw new Error(`admin login failed: ${response.body}`);
  const token = response.json().token as string;
  return { token, accountId: account.id, auth: { authorization: `Bearer ${token}` } };
}

/** Asserts the shared error shape and returns its code. */
export function errorCode(response: LightMyRequestResponse): string {
  const body = response.json();
  if (!body?.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${response.body}`);
  }
  return body.error.code;
}
