import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../platform/errors.ts';
import { isUuid } from '../platform/ids.ts';
import { documentOperations, registerOpenApi } from './openapi.ts';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandling } from './error-handler.ts';
import { bearerResolver } from './plugins/auth.ts';
import { registerRateLimiting } from './plugins/rate-limits.ts';
import { registerCors, registerSecurityHeaders } from './plugins/security.ts';
import { registerRoutes } from './routes/index.ts';
import { ErrorResponse } from './schemas/common.ts';
import { CachedResponses } from './serve-cached.ts';
import { rejectUnstorableText, validatorCompiler } from './validation.ts';
import { htmlNotFound, webPlugin } from '../web/index.ts';
import { ADMIN_PAGES } from '../web/admin/index.ts';

/** Trust the nearest `hops` proxies: the client is the address they saw. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** The response cache as routes (and the cache warmer) use it, with the configured stale windows. */
export function cachedResponsesOf(ctx: AppContext): CachedResponses {
  return new CachedResponses(ctx.browse.responses, { staleSeconds: ctx.config.cacheStaleSeconds, staleIfErrorSeconds: ctx.config.cacheStaleIfErrorSeconds });
}

/** Builds the HTTP gateway over an application context. Does not listen. */
export async function buildApp(ctx: AppContext) {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Accept a caller's request id only if it is a UUID, so logs cannot be forged with arbitrary text.
    // randomUUID draws from a buffered pool: about a quarter of a time-ordered id's cost, on every request.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && isUuid(incoming) ? incoming : randomUUID();
    },
    // Requests that arrive while the server drains are answered by the app (503 shutting_down), in its error format.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // Behind a load balancer: believe X-Forwarded-For only from the proxies TRUST_PROXY names.
    trustProxy: typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>();

  documentOperations(app);
  app.setValidatorCompiler(validatorCompiler());
  app.addSchema(ErrorResponse);
  registerErrorHandling(app, { htmlNotFound: htmlNotFound(ctx) });

  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) {
      reply.header('retry-after', '1');
      throw new AppError('shutting_down', 'unavailable', 'This server is shutting down; retry the request');
    }
  });
  app.addHook('preHandler', rejectUnstorableText);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  // onRequest, so route-level rate limits (which run after global hooks) can key by account.
  app.addHook('onRequest', bearerResolver(ctx.services.identity));

  await registerRateLimiting(app, ctx);

  await registerSecurityHeaders(app);
  await registerCors(app, ctx.config);
  await registerOpenApi(app);
  app.decorate('serveCached', cachedResponsesOf(ctx).serve);
  await app.register(registerRoutes(ctx));
  // The storefront (and the admin console) in a scope of their own: cookies and forms never reach the API.
  await app.register(webPlugin(ctx, ADMIN_PAGES));
  return app;
}
