import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import { buildApp } from '../http/app.ts';

/** Starts the HTTP API on the configured host/port. */
export async function startServer(ctx: AppContext): Promise<FastifyInstance> {
  const app = await buildApp(ctx);
  await app.listen({ host: ctx.config.host, port: ctx.config.port });
  return app;
}
