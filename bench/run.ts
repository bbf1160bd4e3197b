/**
 * `npm run bench`: seeds a fresh database, starts the API and a bare-Fastify reference as
 * child processes, loads each with autocannon and writes docs/BENCHMARKS.md.
 *
 * Environment: BENCH_PRODUCTS (10000), BENCH_DURATION seconds (10), BENCH_CONNECTIONS (50),
 * BENCH_WARMUP seconds (2), BENCH_DATABASE_URL (PostgreSQL server to use instead of PGlite;
 * a fresh database is created on it and dropped afterwards), BENCH_SCENARIOS (ids, comma-separated),
 * BENCH_OUTPUT (docs/BENCHMARKS.md), BENCH_API_NODE_ARGS (node flags for the API process, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it under load), BENCH_REDIS_URL (scenarios that support it
 * repeat their rows with REDIS_URL set, under a key prefix of their own), BENCH_SPIKE_SECONDS (60, the product
 * page's stepped spike), BENCH_VARNISHD (/usr/sbin/varnishd; without it the through-Varnish row is left out).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { createContext } from '../src/app/context.ts';
import { loadConfig } from '../src/platform/config.ts';
import { newId } from '../src/platform/ids.ts';
import { createProgress } from '../src/seed/progress.ts';
import { seedDemo, type SeedPhase } from '../src/seed/seed.ts';
import { fetchProductIds } from './lib/catalog.ts';
import { runLoad } from './lib/load.ts';
import { freePort, ROOT, startService, type Service } from './lib/processes.ts';
import { renderReport } from './lib/report.ts';
import type { Scenario, ScenarioReport, ScenarioRow } from './lib/types.ts';
import { measureConditionalUpdate } from './lib/reference-update.ts';

/** How the API under test is started: the CLI's `serve` command. */
export const API_COMMAND = { script: 'src/cli/main.ts', args: ['serve'] };
const REFERENCE_SCRIPT = 'bench/reference-server.ts';

const settings = {
  products: positive('BENCH_PRODUCTS', 10_000),
  durationSeconds: positive('BENCH_DURATION', 10),
  connections: positive('BENCH_CONNECTIONS', 50),
  warmupSeconds: Number(process.env.BENCH_WARMUP ?? 2),
  databaseUrl: process.env.BENCH_DATABASE_URL || undefined,
  scenarios: process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean),
  output: path.resolve(ROOT, process.env.BENCH_OUTPUT ?? 'docs/BENCHMARKS.md'),
  redisUrl: process.env.BENCH_REDIS_URL || undefined,
};

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function commandLine(): string {
  const vars = [`BENCH_PRODUCTS=${settings.products}`, `BENCH_DURATION=${settings.durationSeconds}`];
  if (settings.connections !== 50) vars.push(`BENCH_CONNECTIONS=${settings.connections}`);
  if (settings.databaseUrl) vars.push(`BENCH_DATABASE_URL=${redactUrl(settings.databaseUrl)}`);
  if (settings.scenarios) vars.push(`BENCH_SCENARIOS=${settings.scenarios.join(',')}`);
  if (settings.redisUrl) vars.push(`BENCH_REDIS_URL=${redactUrl(settings.redisUrl)}`);
  return `${vars.join(' ')} npm run bench`;
}

/** A database of its own on the benchmark server, so runs never see each other's data. */
async function createBenchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bazaar_bench_${newId().replaceAll('-', '').slice(-12)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

const BENCH_ADMIN = { email: 'bench-admin@example.com', password: `bench-${newId()}` };

async function seed(env: Record<string, string>): Promise<{ seconds: number; indexSeconds: number; backend: string; updateReference: ScenarioRow }> {
  const ctx = await createContext(loadConfig(env), { collectDefaultMetrics: false });
  try {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(ctx.databases.main);
    const version = rows[0]?.version.split(' ').slice(0, 2).join(' ') ?? 'PostgreSQL';
    const backend = ctx.databases.kind === 'pglite' ? `PGlite (embedded ${version}, WASM, one connection)` : `${version} server on localhost`;
    let phase: SeedPhase = 'products';
    let progress = createProgress(`Seeding ${settings.products.toLocaleString('en-US')} products`, settings.products);
    const summary = await seedDemo(ctx, {
      products: settings.products,
      onProgress: (done, total, current) => {
        if (current !== phase) {
          progress.done();
          phase = current;
          progress = createProgress('Indexing for search', total);
        }
        progress.update(done);
      },
    });
    progress.done();
    await ctx.services.identity.createAdmin({ ...BENCH_ADMIN, name: 'Benchmark admin' });
    log('bench: reference single-row conditional UPDATE on the same database');
    const updateReference = await measureConditionalUpdate(ctx.databases.inventory, ctx.databases.kind, settings.durationSeconds, settings.connections);
    return { seconds: summary.seconds, indexSeconds: summary.indexSeconds, backend, updateReference };
  } finally {
    await ctx.close();
  }
}

async function loadScenarios(): Promise<Scenario[]> {
  const directory = path.join(ROOT, 'bench', 'scenarios');
  const files = fs.readdirSync(directory).filter((f) => f.endsWith('.ts')).sort();
  const scenarios: Scenario[] = [];
  for (const file of files) {
    const module = (await import(path.join(directory, file))) as { scenario?: Scenario };
    if (!module.scenario) throw new Error(`bench/scenarios/${file} exports no \`scenario\``);
    scenarios.push(module.scenario);
  }
  if (!settings.scenarios) return scenarios;
  const unknown = settings.scenarios.filter((id) => !scenarios.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`Unknown BENCH_SCENARIOS ${unknown.join(', ')}; known: ${scenarios.map((s) => s.id).join(', ')}`);
  return scenarios.filter((s) => settings.scenarios!.includes(s.id));
}

/** The reference serves a real product body, so both servers serialize the same bytes. */
async function writeReferenceBody(apiUrl: string, file: string): Promise<void> {
  const [id] = await fetchProductIds(apiUrl, 1);
  const response = await fetch(`${apiUrl}/v1/products/${id}`);
  if (!response.ok) throw new Error(`GET /v1/products/${id} answered ${response.status}`);
  fs.writeFileSync(file, await response.text());
}

async function main(): Promise<void> {
  const scenarios = await loadScenarios();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-bench-'));
  const services: Service[] = [];
  let database: { url: string; drop(): Promise<void> } | undefined;
  try {
    const env: Record<string, string> = { DATA_DIR: workDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000' };
    if (settings.databaseUrl) {
      database = await createBenchDatabase(settings.databaseUrl);
      env.DATABASE_URL = database.url;
    } else {
      env.PGLITE_PATH = path.join(workDir, 'pglite');
    }
    log(`bench: ${settings.products} products, ${settings.durationSeconds} s per run, ${settings.connections} connections, scenarios ${scenarios.map((s) => s.id).join(', ')}`);
    const seeded = await seed(env);
    log(`bench: starting the API (${API_COMMAND.script} ${API_COMMAND.args.join(' ')}) on ${seeded.backend}`);
    const nodeArgs = process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const api = await startService({ name: 'bazaar API', ...API_COMMAND, nodeArgs, env, port: await freePort() });
    services.push(api);
    const bodyFile = path.join(workDir, 'reference-body.json');
    await writeReferenceBody(api.url, bodyFile);
    const reference = await startService({ name: 'reference', script: REFERENCE_SCRIPT, env: { BENCH_REFERENCE_BODY_FILE: bodyFile }, port: await freePort() });
    services.push(reference);

    log('bench: reference (bare Fastify)');
    const common = { connections: settings.connections, duration: settings.durationSeconds, warmupSeconds: settings.warmupSeconds };
    const referenceFigures = await runLoad('bare Fastify GET /product', { url: `${reference.url}/product`, ...common });
    const reports: ScenarioReport[] = [];
    for (const scenario of scenarios) {
      log(`bench: ${scenario.title}`);
      const summary = { id: scenario.id, title: scenario.title, description: scenario.description };
      const details: string[] = [];
      try {
        const rows = await scenario.run({
          admin: BENCH_ADMIN,
          conditionalUpdateReference: seeded.updateReference,
          ...(database ? { databaseUrl: database.url } : {}),
          baseUrl: api.url,
          referenceUrl: reference.url,
          products: settings.products,
          durationSeconds: settings.durationSeconds,
          connections: settings.connections,
          log,
          ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}),
          details: (lines) => details.push(...lines),
          startApi: async (options) => {
            const extra = await startService({ name: options.name, ...API_COMMAND, nodeArgs: options.nodeArgs ?? [], env: { ...env, ...options.env }, port: await freePort() });
            services.push(extra);
            return extra;
          },
        });
        reports.push({ scenario: summary, rows, details });
      } catch (error) {
        // One broken scenario must not cost the figures of the others; the run still fails at the end.
        const message = error instanceof Error ? error.message : String(error);
        log(`bench: ${scenario.id} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
        reports.push({ scenario: summary, rows: [], error: message, details });
        process.exitCode = 1;
      }
    }
    const markdown = renderReport({
      date: new Date(),
      backend: seeded.backend,
      products: settings.products,
      seedSeconds: seeded.seconds,
      indexSeconds: seeded.indexSeconds,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      command: commandLine(),
      apiProcess: `\`${API_COMMAND.script} ${API_COMMAND.args.join(' ')}\` with LOG_LEVEL=${env.LOG_LEVEL}, RATE_LIMIT_PER_MINUTE=${env.RATE_LIMIT_PER_MINUTE}, other settings default`,
      reference: referenceFigures,
      scenarios: reports,
    });
    fs.mkdirSync(path.dirname(settings.output), { recursive: true });
    fs.writeFileSync(settings.output, markdown);
    log(`bench: wrote ${path.relative(ROOT, settings.output)}`);
  } finally {
    for (const service of services.reverse()) await service.stop();
    await database?.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
