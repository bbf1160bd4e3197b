import Fastify, { type FastifyBaseLogger } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppContext } from '../app/context.ts';
import { AppError } from '../platform/errors.ts';
import { isUuid, newId } from '../platform/ids.ts';
import { registerErrorHandling } from './error-handler.ts';
import { bearerResolver } from './plugins/auth.ts';
import { registerRoutes } from './routes/index.ts';
import { ErrorResponse } from './schemas/common.ts';
import { validatorCompiler } from './validation.ts';

/** Builds the HTTP gateway over an application context. Does not listen. */
export async function buildApp(ctx: AppContext) {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    // Accept a caller's request id only if it is a UUID, so logs cannot be forged with arbitrary text.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && isUuid(incoming) ? incoming : newId();
    },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.addSchema(ErrorResponse);
  registerErrorHandling(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  // onRequest, so route-level rate limits (which run after global hooks) can key by account.
  app.addHook('onRequest', bearerResolver(ctx.services.identity));

  await app.register(rateLimit, {
    global: false,
    ...(ctx.redis ? { redis: ctx.redis, nameSpace: `${ctx.config.redisKeyPrefix}rl:` } : {}),
    keyGenerator: (request) => request.principal?.accountId ?? request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', 'rate_limited', `Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`, {
        retry_after_seconds: Math.ceil(context.ttl / 1000),
      }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Bazaar API',
        version: '1',
        description: 'Catalog, cart, checkout, inventory and orders. Every error is `{error: {code, message, details?}}`.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(registerRoutes(ctx));
  return app;
}
