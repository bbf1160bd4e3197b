import type { ParseArgsConfig } from 'node:util';
import { createContext, type AppContext } from '../app/context.ts';
import { startServer, startWorkerServer } from '../app/server.ts';
import { startWorker } from '../app/worker.ts';
import type { Config } from '../platform/config.ts';
import { invalid } from '../platform/errors.ts';
import { migrateToLatest } from '../platform/migrations.ts';
import { MODULE_SCHEMAS } from '../app/schemas.ts';
import { createProgress } from '../seed/progress.ts';
import { seedDemo, seedIfEmpty, type SeedPhase } from '../seed/seed.ts';
import { startControlServer, terminalIO, type CommandIO, type Values } from './control.ts';
import { onShutdownSignal } from './lifecycle.ts';
import { warmCaches } from '../app/cache-warm.ts';
import { startTracing } from '../platform/tracing.ts';

/**
 * A CLI command. Long-running roles implement `run` (they open the databases themselves).
 * Admin commands implement `execute` against an application context: the CLI opens one, or,
 * when a running `bazaar all`/`serve`/`worker` owns the embedded database, sends the command
 * to that process, which runs it (src/cli/control.ts). Declaring `execute` is all it takes.
 */
export interface Command {
  name: string[];
  usage: string;
  summary: string;
  help?: string;
  options?: ParseArgsConfig['options'];
  run?(config: Config, values: Values): Promise<number>;
  execute?(ctx: AppContext, values: Values, io: CommandIO): Promise<number>;
  /** Open the context without applying migrations first (migrate reports what it applies). */
  skipMigrations?: boolean;
}

function positiveInt(value: unknown, flag: string, max = 10_000_000): number {
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1 || n > max) {
    throw invalid('invalid_option', `${flag} must be an integer between 1 and ${max}`);
  }
  return n;
}

function requiredString(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid('missing_option', `${flag} is required`);
  return value;
}

/** One progress bar per seeding phase: products first, then the search index. */
function seedProgress(io: CommandIO, products: number) {
  let phase: SeedPhase = 'products';
  let bar = io.progress(`Seeding ${products} products`, products);
  return {
    update(done: number, total: number, current: SeedPhase = 'products') {
      if (current !== phase) {
        bar.done();
        phase = current;
        bar = io.progress('Indexing for search', total);
      }
      bar.update(done);
    },
    done: () => bar.done(),
  };
}

export function describeBackend(ctx: AppContext): string {
  if (ctx.databases.kind === 'pglite') return `embedded PGlite (${ctx.config.pglitePath})`;
  return `PostgreSQL (${ctx.databases.handles.map((h) => `${h.name} [${h.domains.join(', ')}]`).join('; ')})`;
}

/** A worker first rebuilds a search index written before the current analysis (once, after an upgrade), with a progress bar. */
async function rebuildStaleSearchIndex(ctx: AppContext): Promise<void> {
  let progress: ReturnType<typeof createProgress> | undefined;
  const report = await ctx.services.search.ensureIndexed({
    onProgress: (p) => {
      progress ??= createProgress('Rebuilding the search index', Math.max(p.total, 1));
      progress.update(Math.min(p.done, Math.max(p.total, 1)));
    },
  });
  progress?.done();
  if (report) ctx.logger.info(report, 'search index rebuilt');
}

async function runUntilSignal(ctx: AppContext, roles: { serve: boolean; work: boolean; simulateFulfillment?: boolean }) {
  const role = roles.serve && roles.work ? 'all' : roles.serve ? 'serve' : 'worker';
  const tracing = startTracing({
    ...(ctx.config.otelExporterOtlpEndpoint ? { endpoint: ctx.config.otelExporterOtlpEndpoint } : {}),
    serviceName: ctx.config.otelServiceName ?? `bazaar-${role}`,
    logger: ctx.logger,
  });
  if (roles.work) await rebuildStaleSearchIndex(ctx);
  const server = roles.serve ? await startServer(ctx) : undefined;
  const worker = roles.work ? await startWorker(ctx, { simulateFulfillment: roles.simulateFulfillment ?? false }) : undefined;
  // A worker on its own gets a listener for probes and metrics; in `all` the API's listener serves them.
  let working = true;
  const workerListener = worker && !server && ctx.config.workerPort !== undefined ? await startWorkerServer(ctx, ctx.config.workerPort, () => working) : undefined;
  // The owner of the embedded database runs the CLI's admin commands for it.
  const control = ctx.databases.kind === 'pglite' && ctx.config.pglitePath !== 'memory://' ? await startControlServer(ctx, COMMANDS, ctx.logger) : undefined;
  // Listening for signals before saying "started": a supervisor that stops us on that line must get a drain, not the default kill.
  const stopped = onShutdownSignal(ctx.logger, async () => {
    await control?.close();
    await server?.close();
    working = false;
    await worker?.stop();
    // Last, so the drain's figures can still be scraped.
    await workerListener?.close();
    await ctx.close();
    await tracing.shutdown();
  });
  const base = `http://${ctx.config.host === '0.0.0.0' ? 'localhost' : ctx.config.host}:${ctx.config.port}`;
  ctx.logger.info(
    { backend: describeBackend(ctx), jobs: worker?.jobs, control: control?.socket, ...(workerListener ? { workerPort: ctx.config.workerPort } : {}) },
    'bazaar started',
  );
  if (server) {
    process.stdout.write(
      `\nBazaar is running on ${describeBackend(ctx)}\n` +
        `  shop       ${base}/\n` +
        `  API        ${base}/v1/products\n` +
        `  API docs   ${base}/docs\n` +
        `  health     ${base}/healthz   readiness ${base}/readyz   metrics ${ctx.config.metricsPort ? `port ${ctx.config.metricsPort}` : `${base}/metrics`}\n` +
        (worker ? `  worker     ${worker.jobs.join(', ')}\n` : '') +
        `Press Ctrl+C to stop.\n\n`,
    );
  }
  await stopped;
  return 0;
}

export const COMMANDS: Command[] = [
  {
    name: ['all'],
    usage: 'all [--no-demo]',
    summary: 'API and worker in one process; seeds a demo catalog into an empty database (what `npm start` runs)',
    options: { 'no-demo': { type: 'boolean' } },
    async run(config, values) {
      const ctx = await createContext(config, { command: 'all' });
      if (!values['no-demo'] && config.demoSeedProducts > 0) {
        const progress = seedProgress(terminalIO(), config.demoSeedProducts);
        const seeded = await seedIfEmpty(ctx, config.demoSeedProducts, (done, total, phase) => progress.update(done, total, phase));
        if (seeded) progress.done();
      }
      return runUntilSignal(ctx, { serve: true, work: true, simulateFulfillment: true });
    },
  },
  {
    name: ['serve'],
    usage: 'serve',
    summary: 'HTTP API only (stateless; run as many as you like)',
    async run(config) {
      return runUntilSignal(await createContext(config, { command: 'serve' }), { serve: true, work: false });
    },
  },
  {
    name: ['worker'],
    usage: 'worker [--simulate-fulfillment]',
    summary: 'Background jobs only: outbox relay, consumers, reservation sweeper, cart expiry',
    options: { 'simulate-fulfillment': { type: 'boolean' } },
    async run(config, values) {
      const ctx = await createContext(config, { command: 'worker' });
      return runUntilSignal(ctx, { serve: false, work: true, simulateFulfillment: values['simulate-fulfillment'] === true });
    },
  },
  {
    name: ['migrate'],
    usage: 'migrate',
    summary: 'Apply pending database migrations and exit',
    skipMigrations: true,
    async execute(ctx, _values, io) {
      for (const report of await migrateToLatest(ctx.databases, MODULE_SCHEMAS)) {
        io.write(`${report.database}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'up to date'}\n`);
      }
      return 0;
    },
  },
  {
    name: ['seed'],
    usage: 'seed [--products N]',
    summary: 'Create a deterministic demo catalog, warehouses and stock (default 300 products)',
    options: { products: { type: 'string' } },
    async execute(ctx, values, io) {
      const products = values.products === undefined ? 300 : positiveInt(values.products, '--products', 1_000_000);
      const progress = seedProgress(io, products);
      const started = Date.now();
      await seedDemo(ctx, { products, onProgress: (done, total, phase) => progress.update(done, total, phase) });
      progress.done();
      io.write(`Seeded ${products} products in ${((Date.now() - started) / 1000).toFixed(1)} s on ${describeBackend(ctx)}\n`);
      return 0;
    },
  },
  {
    name: ['events', 'replay'],
    usage: 'events replay --since <ISO time> [--consumer NAME]',
    summary: 'Re-deliver published events since a time (consumers skip what they already applied)',
    options: { since: { type: 'string' }, consumer: { type: 'string' } },
    async execute(ctx, values, io) {
      const since = new Date(requiredString(values.since, '--since'));
      if (Number.isNaN(since.getTime())) throw invalid('invalid_option', '--since must be an ISO date-time, e.g. 2026-11-25T10:00:00Z');
      const result = await ctx.events.replay({ since, ...(typeof values.consumer === 'string' ? { consumer: values.consumer } : {}) });
      io.write(`Re-delivered ${result.events} events since ${since.toISOString()}; the worker applies them.\n`);
      return 0;
    },
  },
  {
    name: ['search', 'reindex'],
    usage: 'search reindex',
    summary: 'Rebuild the search index from the catalog (with a progress bar)',
    async execute(ctx, _values, io) {
      const total = Math.max(await ctx.services.catalog.countProducts(), 1);
      const progress = io.progress('Reindexing products', total);
      const started = Date.now();
      const report = await ctx.services.search.reindex({ onProgress: (p) => progress.update(Math.min(p.done, total)) });
      progress.done();
      io.write(`Indexed ${report.indexed} products (removed ${report.removed}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return 0;
    },
  },
  {
    name: ['cache', 'warm'],
    usage: 'cache warm [--top N]',
    summary: 'Fill Redis and the CDN with the pages of the top N products (views, then orders, then rating × reviews) before a spike',
    help:
      '\nRenders each page into Redis (REDIS_URL) and fetches it through every CDN node (CDN_PURGE_URLS).\n' +
      'Without either there is nothing shared to fill: the embedded mode warms in its own process with\n' +
      'CACHE_WARM_INTERVAL_SECONDS (the worker runs it on that schedule).',
    options: { top: { type: 'string' } },
    async run(config, values) {
      const top = values.top === undefined ? 10_000 : positiveInt(values.top, '--top', 1_000_000);
      if (!config.redisUrl && config.cdnPurgeUrls.length === 0) {
        throw invalid('nothing_to_warm', 'Neither REDIS_URL nor CDN_PURGE_URLS is set: no cache outlives this command. Set one, or warm in the server with CACHE_WARM_INTERVAL_SECONDS.');
      }
      const ctx = await createContext(config);
      try {
        let progress: ReturnType<typeof createProgress> | undefined;
        const report = await warmCaches(ctx, {
          top,
          prime: config.redisUrl !== undefined,
          onProgress: (done, total) => {
            progress ??= createProgress(`Warming ${top.toLocaleString('en-US')} products`, Math.max(total, 1));
            progress.update(done);
          },
        });
        progress?.done();
        const { views, orders, rating } = report.bySource;
        process.stdout.write(
          `Warmed ${report.ids.length} products (${views} by views, ${orders} by orders, ${rating} by rating × reviews): ` +
            `${report.primed} pages rendered into Redis${report.failed ? ` (${report.failed} failed)` : ''}, ` +
            `${report.cdnFetched} fetched through the CDN${report.cdnFailed ? ` (${report.cdnFailed} failed)` : ''}, in ${report.seconds.toFixed(1)} s\n`,
        );
        return report.failed + report.cdnFailed > 0 ? 1 : 0;
      } finally {
        await ctx.close();
      }
    },
  },
  {
    name: ['admin', 'create'],
    usage: 'admin create --email E --password P [--name N]',
    summary: 'Create an admin account (or promote an existing one)',
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    async execute(ctx, values, io) {
      const email = requiredString(values.email, '--email');
      const password = requiredString(values.password, '--password');
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw invalid('invalid_option', '--email is not an email address');
      if (password.length < 8) throw invalid('invalid_option', '--password must have at least 8 characters');
      const account = await ctx.services.identity.createAdmin({ email, password, name: typeof values.name === 'string' ? values.name : 'Administrator' });
      io.write(`Admin ${account.email} (${account.id}) is ready. Sign in with POST /v1/auth/login.\n`);
      return 0;
    },
  },
];
