/**
 * The production topology on this machine (see README.md beside this file): HAProxy in front
 * of N API processes, M workers, PostgreSQL primary + streaming replica with PgBouncer
 * (transaction mode) in front of the primary, a 3-node NATS JetStream cluster with R3
 * streams, Redis primary + replica + 3 Sentinels. Everything on random ports under one temp
 * dir, stopped by `stop()` (and killed if this process exits first).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  managed,
  freePort,
  startHaProxy,
  startNatsCluster,
  startPgBouncer,
  startPostgresPrimary,
  startPostgresReplica,
  startRedisWithSentinels,
  stopAll,
  tempDir,
  waitUntil,
  SENTINEL_MASTER,
  PG_BIN,
  type HaProxy,
  type NatsCluster,
  type PgBouncer,
  type Postgres,
  type RedisSentinelSet,
  type Server,
} from './servers.ts';

const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BAZAAR = [path.join(ROOT, 'bin', 'bazaar.js')];

export interface TopologyOptions {
  apis?: number;
  workers?: number;
  products?: number;
  /** Extra environment for every Bazaar process (e.g. RATE_LIMIT_PER_MINUTE for a load). */
  env?: Record<string, string>;
  progress?: (step: string) => void;
}

export interface BazaarNode extends Server {
  role: 'api' | 'worker';
  /** HAProxy's name for an API process. */
  id: string;
}

export interface Topology {
  dir: string;
  primary: Postgres;
  replica: Postgres;
  bouncer: PgBouncer;
  nats: NatsCluster;
  redis: RedisSentinelSet;
  haproxy: HaProxy;
  apis: BazaarNode[];
  workers: BazaarNode[];
  /** The environment Bazaar processes get (DATABASE_URL through PgBouncer, …). */
  env: Record<string, string>;
  /** Direct URL of the shop's database on the primary (for counting, never for the app). */
  databaseUrl: string;
  urls(): Record<string, string>;
  /** Drains an API process in HAProxy, then stops it (SIGTERM: it finishes its requests). */
  stopApi(node: BazaarNode): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'bazaar';

function bazaarNode(role: 'api' | 'worker', id: string, env: Record<string, string>, port: number, logDir: string): BazaarNode {
  const args = role === 'api' ? [...BAZAAR, 'serve'] : [...BAZAAR, 'worker', '--simulate-fulfillment'];
  const server = managed({
    name: id,
    port,
    command: process.execPath,
    args,
    cwd: ROOT,
    logFile: path.join(logDir, `${id}.log`),
    // A worker opens no port: its "bazaar started" log line (info) says it is running.
    env: { ...env, ...(role === 'api' ? { PORT: String(port) } : { PORT: '0', LOG_LEVEL: 'info' }) },
    ready: (s) =>
      role === 'api'
        ? waitUntil(`${id} ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) })).status === 200, 120_000, s)
        : waitUntil(`${id} started`, async () => s.output().includes('bazaar started'), 120_000, s),
  });
  return Object.assign(server, { role, id }) as BazaarNode;
}

async function bazaarCommand(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [...BAZAAR, ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const say = options.progress ?? (() => {});
  const dir = tempDir('bazaar-cluster-');
  const started: (Server | undefined)[] = [];
  const parts: Partial<Topology> = { dir };
  try {
    say('PostgreSQL primary (initdb)');
    for (const sub of ['postgres', 'pgbouncer', 'nats', 'redis', 'haproxy', 'logs']) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
    const primary = await startPostgresPrimary(path.join(dir, 'postgres'));
    started.push(primary);
    await run(path.join(PG_BIN, 'createdb'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', DATABASE]);
    say('PostgreSQL streaming replica (pg_basebackup)');
    const replica = await startPostgresReplica(primary);
    started.push(replica);
    say('PgBouncer (transaction mode)');
    const bouncer = await startPgBouncer(primary, { dir: path.join(dir, 'pgbouncer'), poolSize: 20 });
    started.push(bouncer);
    say('NATS JetStream, 3 nodes');
    const nats = await startNatsCluster(3, path.join(dir, 'nats'));
    started.push(...nats.nodes);
    say('Redis primary, replica and 3 Sentinels');
    const redis = await startRedisWithSentinels(path.join(dir, 'redis'));
    started.push(...redis.all());
    const env: Record<string, string> = {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: bouncer.url(DATABASE),
      DATABASE_READ_URL: replica.url(DATABASE),
      DB_POOL_SIZE: '8',
      REDIS_SENTINELS: redis.sentinelList,
      REDIS_SENTINEL_NAME: SENTINEL_MASTER,
      NATS_URL: nats.url,
      NATS_STREAM_REPLICAS: '3',
      TRUST_PROXY: 'loopback',
      DATA_DIR: path.join(dir, 'data'),
      ...options.env,
    };
    say('migrations and seed (through PgBouncer)');
    await bazaarCommand(['migrate'], env);
    await bazaarCommand(['seed', '--products', String(options.products ?? 60)], env);
    const apis: BazaarNode[] = [];
    const apiCount = options.apis ?? 2;
    for (let i = 1; i <= apiCount; i++) apis.push(bazaarNode('api', `api${i}`, env, await freePort(), path.join(dir, 'logs')));
    const workers: BazaarNode[] = [];
    for (let i = 1; i <= (options.workers ?? 2); i++) workers.push(bazaarNode('worker', `worker${i}`, env, 0, path.join(dir, 'logs')));
    say(`${apiCount} API and ${workers.length} worker processes`);
    started.push(...apis, ...workers);
    // One at a time: on two shared cores, parallel starts (each loads the search index) took longer than serial ones.
    for (const node of [...apis, ...workers]) await node.start();
    say('HAProxy');
    const haproxy = await startHaProxy(apis.map((a) => ({ name: a.id, port: a.port })), path.join(dir, 'haproxy'));
    started.push(haproxy);
    await waitUntil('HAProxy sees every API process up', async () => (await haproxy.backends()).every((b) => b.status === 'UP'), 30_000);
    Object.assign(parts, { primary, replica, bouncer, nats, redis, haproxy, apis, workers, env });
    const topology: Topology = {
      ...(parts as Topology),
      databaseUrl: primary.url(DATABASE),
      urls: () => ({
        shop: `${haproxy.url}/`,
        api: `${haproxy.url}/v1/products`,
        ...Object.fromEntries(apis.map((a) => [a.id, `http://127.0.0.1:${a.port}`])),
        'postgres primary': primary.url(DATABASE),
        'postgres replica': replica.url(DATABASE),
        pgbouncer: bouncer.url(DATABASE),
        nats: nats.url,
        'redis sentinels': redis.sentinelList,
        'data dir': dir,
      }),
      async stopApi(node) {
        await haproxy.setState(node.id, 'drain').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 600));
        await node.stop('SIGTERM', 30_000);
      },
      async stop() {
        for (const api of apis) await haproxy.setState(api.id, 'drain').catch(() => undefined);
        await Promise.all([...apis, ...workers].map((n) => n.stop('SIGTERM', 30_000)));
        await stopAll([haproxy, ...redis.all(), ...nats.nodes, bouncer, replica, primary]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    return topology;
  } catch (error) {
    await stopAll(started.reverse());
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
