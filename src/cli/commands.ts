import type { ParseArgsConfig } from 'node:util';
import { createContext, type AppContext } from '../app/context.ts';
import { startServer } from '../app/server.ts';
import { startWorker } from '../app/worker.ts';
import type { Config } from '../platform/config.ts';
import { invalid } from '../platform/errors.ts';
import { openDatabases } from '../platform/database.ts';
import { migrateToLatest } from '../platform/migrations.ts';
import { MODULE_SCHEMAS } from '../app/schemas.ts';
import { seedDemo, seedIfEmpty, type SeedPhase } from '../seed/seed.ts';
import { createProgress } from '../seed/progress.ts';
import { onShutdownSignal } from './lifecycle.ts';

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  name: string[];
  usage: string;
  summary: string;
  help?: string;
  options?: ParseArgsConfig['options'];
  run(config: Config, values: Values): Promise<number>;
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
function seedProgress(products: number) {
  let phase: SeedPhase = 'products';
  let bar = createProgress(`Seeding ${products} products`, products);
  return {
    update(done: number, total: number, current: SeedPhase = 'products') {
      if (current !== phase) {
        bar.done();
        phase = current;
        bar = createProgress('Indexing for search', total);
      }
      bar.update(done);
    },
    done: () => bar.done(),
  };
}

function describeBackend(ctx: AppContext): string {
  if (ctx.databases.kind === 'pglite') return `embedded PGlite (${ctx.config.pglitePath})`;
  return `PostgreSQL (${ctx.databases.handles.map((h) => `${h.name} [${h.domains.join(', ')}]`).join('; ')})`;
}

async function runUntilSignal(ctx: AppContext, roles: { serve: boolean; work: boolean; simulateFulfillment?: boolean }) {
  const app = roles.serve ? await startServer(ctx) : undefined;
  const worker = roles.work ? await startWorker(ctx, { simulateFulfillment: roles.simulateFulfillment ?? false }) : undefined;
  const base = `http://${ctx.config.host === '0.0.0.0' ? 'localhost' : ctx.config.host}:${ctx.config.port}`;
  ctx.logger.info({ backend: describeBackend(ctx), jobs: worker?.jobs }, 'bazaar started');
  if (app) {
    process.stdout.write(
      `\nBazaar is running on ${describeBackend(ctx)}\n` +
        `  API        ${base}/v1/products\n` +
        `  API docs   ${base}/docs\n` +
        `  health     ${base}/healthz   readiness ${base}/readyz   metrics ${base}/metrics\n` +
        (worker ? `  worker     ${worker.jobs.join(', ')}\n` : '') +
        `Press Ctrl+C to stop.\n\n`,
    );
  }
  await onShutdownSignal(ctx.logger, async () => {
    await app?.close();
    await worker?.stop();
    await ctx.close();
  });
  return 0;
}

export const COMMANDS: Command[] = [
  {
    name: ['all'],
    usage: 'all [--no-demo]',
    summary: 'API and worker in one process; seeds a demo catalog into an empty database (what `npm start` runs)',
    options: { 'no-demo': { type: 'boolean' } },
    async run(config, values) {
      const ctx = await createContext(config);
      if (!values['no-demo'] && config.demoSeedProducts > 0) {
        const progress = seedProgress(config.demoSeedProducts);
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
      return runUntilSignal(await createContext(config), { serve: true, work: false });
    },
  },
  {
    name: ['worker'],
    usage: 'worker [--simulate-fulfillment]',
    summary: 'Background jobs only: outbox relay, consumers, reservation sweeper, cart expiry',
    options: { 'simulate-fulfillment': { type: 'boolean' } },
    async run(config, values) {
      return runUntilSignal(await createContext(config), { serve: false, work: true, simulateFulfillment: values['simulate-fulfillment'] === true });
    },
  },
  {
    name: ['migrate'],
    usage: 'migrate',
    summary: 'Apply pending database migrations and exit',
    async run(config) {
      const databases = await openDatabases(config);
      try {
        const reports = await migrateToLatest(databases, MODULE_SCHEMAS);
        for (const report of reports) {
          process.stdout.write(`${report.database}: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'up to date'}\n`);
        }
      } finally {
        await databases.close();
      }
      return 0;
    },
  },
  {
    name: ['seed'],
    usage: 'seed [--products N]',
    summary: 'Create a deterministic demo catalog, warehouses and stock (default 300 products)',
    options: { products: { type: 'string' } },
    async run(config, values) {
      const products = values.products === undefined ? 300 : positiveInt(values.products, '--products', 1_000_000);
      const ctx = await createContext(config);
      try {
        const progress = seedProgress(products);
        const started = Date.now();
        await seedDemo(ctx, { products, onProgress: (done, total, phase) => progress.update(done, total, phase) });
        progress.done();
        process.stdout.write(`Seeded ${products} products in ${((Date.now() - started) / 1000).toFixed(1)} s on ${describeBackend(ctx)}\n`);
      } finally {
        await ctx.close();
      }
      return 0;
    },
  },
  {
    name: ['events', 'replay'],
    usage: 'events replay --since <ISO time> [--consumer NAME]',
    summary: 'Re-deliver published events since a time (consumers skip what they already applied)',
    options: { since: { type: 'string' }, consumer: { type: 'string' } },
    async run(config, values) {
      const since = new Date(requiredString(values.since, '--since'));
      if (Number.isNaN(since.getTime())) throw invalid('invalid_option', '--since must be an ISO date-time, e.g. 2026-11-25T10:00:00Z');
      const ctx = await createContext(config);
      try {
        const result = await ctx.events.replay({ since, ...(typeof values.consumer === 'string' ? { consumer: values.consumer } : {}) });
        process.stdout.write(`Re-delivered ${result.events} events since ${since.toISOString()}; the worker applies them.\n`);
      } finally {
        await ctx.close();
      }
      return 0;
    },
  },
  {
    name: ['search', 'reindex'],
    usage: 'search reindex',
    summary: 'Rebuild the search index from the catalog (with a progress bar)',
    async run(config) {
      const ctx = await createContext(config);
      try {
        const total = await ctx.services.catalog.countProducts();
        const progress = createProgress('Reindexing products', Math.max(total, 1));
        const started = Date.now();
        const report = await ctx.services.search.reindex({ onProgress: (p) => progress.update(Math.min(p.done, Math.max(total, 1))) });
        progress.done();
        process.stdout.write(`Indexed ${report.indexed} products (removed ${report.removed}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      } finally {
        await ctx.close();
      }
      return 0;
    },
  },
  {
    name: ['admin', 'create'],
    usage: 'admin create --email E --password P [--name N]',
    summary: 'Create an admin account (or promote an existing one)',
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    async run(config, values) {
      const email = requiredString(values.email, '--email');
      const password = requiredString(values.password, '--password');
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw invalid('invalid_option', '--email is not an email address');
      if (password.length < 8) throw invalid('invalid_option', '--password must have at least 8 characters');
      const ctx = await createContext(config);
      try {
        const account = await ctx.services.identity.createAdmin({ email, password, name: typeof values.name === 'string' ? values.name : 'Administrator' });
        process.stdout.write(`Admin ${account.email} (${account.id}) is ready. Sign in with POST /v1/auth/login.\n`);
      } finally {
        await ctx.close();
      }
      return 0;
    },
  },
];
