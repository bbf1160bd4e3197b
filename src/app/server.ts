import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { buildApp } from '../http/app.ts';
import { registerErrorHandling } from '../http/error-handler.ts';
import { registerMetricsRoute, registerProbeRoutes } from '../http/routes/system.routes.ts';

export interface RunningServer {
  api: FastifyInstance;
  /** The METRICS_PORT listener, when configured. */
  metrics?: FastifyInstance;
  close(): Promise<void>;
}

/** Starts the HTTP API on the configured host/port, and /metrics on METRICS_PORT when set. */
export async function startServer(ctx: AppContext): Promise<RunningServer> {
  // Searches are answered from memory once the index copy is loaded; load it before taking traffic.
  const started = performance.now();
  await ctx.services.search.warm();
  ctx.logger.info({ engine: ctx.services.search.activeEngine(), ms: Math.round(performance.now() - started) }, 'search index loaded');
  const api = await buildApp(ctx);
  await api.listen({ host: ctx.config.host, port: ctx.config.port });
  const metrics = ctx.config.metricsPort !== undefined ? await startMetricsServer(ctx, ctx.config.metricsPort) : undefined;
  return {
    api,
    ...(metrics ? { metrics } : {}),
    async close() {
      await api.close();
      await metrics?.close();
    },
  };
}

/** /metrics alone, for a port only the metrics scraper reaches. */
export async function startMetricsServer(ctx: AppContext, port: number): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.logger as FastifyBaseLogger, forceCloseConnections: true });
  registerErrorHandling(app);
  registerMetricsRoute(app, ctx);
  await app.listen({ host: ctx.config.host, port });
  return app;
}

/**
 * The `worker` role's listener on WORKER_PORT: /healthz, /readyz (503 once the worker stops) and
 * /metrics, so a supervisor can probe a worker and Prometheus can scrape its figures.
 */
export async function startWorkerServer(ctx: AppContext, port: number, running: () => boolean): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.logger as FastifyBaseLogger, forceCloseConnections: true });
  registerErrorHandling(app);
  registerProbeRoutes(app, ctx, () => (running() ? undefined : 'worker stopping'));
  registerMetricsRoute(app, ctx);
  await app.listen({ host: ctx.config.host, port });
  return app;
}
