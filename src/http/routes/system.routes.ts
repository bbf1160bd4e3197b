import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../app/context.ts';
import { metricsTokenCheck } from '../plugins/security.ts';
import type { RoutesPlugin } from '../types.ts';

/** GET /metrics (Prometheus text), behind METRICS_TOKEN when it is set. On the API app, or alone on METRICS_PORT. */
export function registerMetricsRoute(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/metrics',
    { config: { ignoreBearer: true }, schema: { hide: true }, ...(ctx.config.metricsToken ? { onRequest: metricsTokenCheck(ctx.config.metricsToken) } : {}) },
    async (_request, reply) => {
      reply.header('content-type', ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  );
}

/**
 * GET /healthz (the process is alive) and GET /readyz (it can do its work: databases reachable, and
 * whatever `ready` adds — the worker's listener says whether its jobs run). On the API app and on
 * the worker's own listener.
 */
export function registerProbeRoutes(app: FastifyInstance, ctx: AppContext, ready: () => string | undefined = () => undefined): void {
  const probe = { ignoreBearer: true };
  app.get('/healthz', { config: probe, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { config: probe, schema: { hide: true, response: { 200: Type.Object({ status: Type.String() }), 503: Type.Object({ status: Type.String(), reason: Type.String() }) } } },
    async (request, reply) => {
      const notReady = ready();
      if (notReady) return reply.status(503).send({ status: 'unavailable', reason: notReady });
      try {
        await ctx.databases.ping();
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
      }
    },
  );
}

export const systemRoutes: RoutesPlugin = (ctx) => async (app) => {
  registerProbeRoutes(app as unknown as FastifyInstance, ctx);
  // With METRICS_PORT the metrics live on their own listener (src/app/server.ts), not on the public port.
  if (ctx.config.metricsPort === undefined) registerMetricsRoute(app as unknown as FastifyInstance, ctx);
};
