/**
 * Private servers for the local cluster, the fault matrix and the topology tests: each on a
 * random port under a temp dir, in the foreground as a child of this process (never a
 * system service), and stopped by `stopAll()` — also when this process exits or is
 * interrupted, so a failed run leaves nothing behind.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const PGBOUNCER = process.env.PGBOUNCER ?? '/usr/sbin/pgbouncer';
export const HAPROXY = process.env.HAPROXY ?? '/usr/sbin/haproxy';
export const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

/**
 * Which of the topology's programs are missing here. Suites that need them are skipped when
 * some are missing, unless TEST_TOPOLOGY=1 (CI) makes that an error.
 */
export function missingTopologyPrograms(): string[] {
  const programs = [path.join(PG_BIN, 'initdb'), path.join(PG_BIN, 'postgres'), path.join(PG_BIN, 'pg_basebackup'), PGBOUNCER, HAPROXY, NATS_SERVER, '/usr/bin/redis-server'];
  const missing = programs.filter((p) => !fs.existsSync(p));
  if (missing.length > 0 && process.env.TEST_TOPOLOGY === '1') throw new Error(`TEST_TOPOLOGY=1 is set but these are missing: ${missing.join(', ')}`);
  return missing;
}

/** PostgreSQL and PgBouncer refuse to run as root: when we are root they run as this user. */
const SERVICE_USER = 'postgres';

export interface Server {
  name: string;
  port: number;
  child?: ChildProcess | undefined;
  /** Last lines it wrote (for failure messages). */
  output(): string;
  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
  /** Starts it again with the same data and port. */
  start(): Promise<void>;
  running(): boolean;
}

const live = new Set<ChildProcess>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

function serviceIds(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${SERVICE_USER}:`));
  if (!line) throw new Error(`running as root needs a "${SERVICE_USER}" user for PostgreSQL and PgBouncer`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownForService(dir: string): void {
  const ids = serviceIds();
  if (ids) fs.chownSync(dir, ids.uid, ids.gid);
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000, server?: Server): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (server && !server.running()) throw new Error(`${what}: the process exited\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${server ? `\n${server.output()}` : ''}`);
}

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface ProcessSpec {
  name: string;
  port: number;
  command: string;
  args: string[];
  asService?: boolean;
  env?: Record<string, string>;
  cwd?: string;
  /** Also append everything it writes to this file (kept for a post-mortem). */
  logFile?: string;
  ready: (server: Server) => Promise<void>;
}

/** A child process that can be stopped and started again (same arguments, same port). */
export function managed(spec: ProcessSpec): Server {
  let child: ChildProcess | undefined;
  const lines: string[] = [];
  const server: Server = {
    name: spec.name,
    port: spec.port,
    get child() {
      return child;
    },
    output: () => lines.join('').slice(-4000),
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async start() {
      hookExit();
      const ids = spec.asService ? serviceIds() : undefined;
      child = spawn(spec.command, spec.args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ...spec.env },
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
        ...(ids ? { uid: ids.uid, gid: ids.gid } : {}),
      });
      const current = child;
      live.add(current);
      current.once('exit', () => live.delete(current));
      const log = spec.logFile ? fs.createWriteStream(spec.logFile, { flags: 'a' }) : undefined;
      current.once('exit', (code, signal) => {
        log?.end(`\n[exited: ${code ?? signal}]\n`);
      });
      const keep = (chunk: Buffer) => {
        log?.write(chunk);
        lines.push(chunk.toString());
        if (lines.length > 200) lines.splice(0, lines.length - 200);
      };
      current.stdout!.on('data', keep);
      current.stderr!.on('data', keep);
      await new Promise<void>((resolve, reject) => {
        current.once('error', (error) => reject(new Error(`${spec.name}: ${spec.command} could not start: ${error.message}`)));
        current.once('spawn', () => resolve());
      });
      await spec.ready(server);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.kill(signal);
      const timer = setTimeout(() => current.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return server;
}

export async function stopAll(servers: readonly (Server | undefined)[]): Promise<void> {
  await Promise.all(servers.map((s) => s?.stop().catch(() => undefined)));
}

// ---------- PostgreSQL ----------

export interface Postgres extends Server {
  url(database?: string): string;
  dataDir: string;
}

async function pgReady(port: number): Promise<boolean> {
  try {
    await run(path.join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q']);
    return true;
  } catch {
    return false;
  }
}

function postgresServer(name: string, dataDir: string, port: number, extra: string[]): Postgres {
  const server = managed({
    name,
    port,
    command: path.join(PG_BIN, 'postgres'),
    args: ['-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1', ...extra],
    asService: true,
    ready: (s) => waitUntil(`${name} accepting connections`, () => pgReady(port), 60_000, s),
  });
  return Object.assign(server, { dataDir, url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}` }) as Postgres;
}

/** A PostgreSQL primary of its own (initdb in a temp dir), ready for streaming replicas. */
export async function startPostgresPrimary(root = tempDir('bazaar-pg-')): Promise<Postgres> {
  chownForService(root);
  const dataDir = path.join(root, 'primary');
  const ids = serviceIds();
  await run(path.join(PG_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], ids ? { uid: ids.uid, gid: ids.gid } : {});
  const port = await freePort();
  const server = postgresServer('postgres-primary', dataDir, port, [
    '-c', 'wal_level=replica',
    '-c', 'max_wal_senders=10',
    '-c', 'max_connections=200',
    '-c', 'fsync=off',
    '-c', 'shared_buffers=32MB',
    '-c', 'wal_keep_size=256MB',
  ]);
  await server.start();
  return server;
}

/** A streaming replica of `primary` (pg_basebackup -R), hot standby. */
export async function startPostgresReplica(primary: Postgres, root = path.dirname(primary.dataDir)): Promise<Postgres> {
  const dataDir = path.join(root, `replica-${Date.now().toString(36)}`);
  const ids = serviceIds();
  await run(path.join(PG_BIN, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'], ids ? { uid: ids.uid, gid: ids.gid } : {});
  const port = await freePort();
  const server = postgresServer('postgres-replica', dataDir, port, ['-c', 'hot_standby=on', '-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'shared_buffers=32MB']);
  await server.start();
  return server;
}

// ---------- PgBouncer ----------

export interface PgBouncer extends Server {
  url(database?: string): string;
  dir: string;
}

/** PgBouncer in transaction mode in front of `target` (every database, user postgres, trust). */
export async function startPgBouncer(target: { port: number }, options: { poolSize?: number; dir?: string } = {}): Promise<PgBouncer> {
  const dir = options.dir ?? tempDir('bazaar-pgbouncer-');
  chownForService(dir);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'userlist.txt'), '"postgres" ""\n');
  const template = fs.readFileSync(path.join(import.meta.dirname, 'pgbouncer.ini'), 'utf8');
  const ini = template
    .replaceAll('{{TARGET_PORT}}', String(target.port))
    .replaceAll('{{PORT}}', String(port))
    .replaceAll('{{DIR}}', dir)
    .replaceAll('{{POOL_SIZE}}', String(options.poolSize ?? 20));
  const file = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(file, ini);
  chownForService(file);
  const server = managed({
    name: 'pgbouncer',
    port,
    command: PGBOUNCER,
    args: [file],
    asService: true,
    ready: (s) => waitUntil('pgbouncer listening', () => portOpen(port), 20_000, s),
  });
  await server.start();
  return Object.assign(server, { dir, url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}` }) as PgBouncer;
}

// ---------- Redis and Sentinel ----------

export interface RedisNode extends Server {
  url: string;
}

async function redisPing(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

export async function startRedis(options: { replicaOf?: number; dir?: string } = {}): Promise<RedisNode> {
  const dir = options.dir ?? tempDir('bazaar-redis-');
  const port = await freePort();
  const nodeDir = path.join(dir, `redis-${port}`);
  fs.mkdirSync(nodeDir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', nodeDir];
  if (options.replicaOf) args.push('--replicaof', '127.0.0.1', String(options.replicaOf));
  const server = managed({
    name: options.replicaOf ? 'redis-replica' : 'redis-primary',
    port,
    command: 'redis-server',
    args,
    ready: (s) => waitUntil(`redis on ${port}`, () => redisPing(port), 20_000, s),
  });
  await server.start();
  return Object.assign(server, { url: `redis://127.0.0.1:${port}` }) as RedisNode;
}

export const SENTINEL_MASTER = 'bazaar';

/** A Sentinel watching `masterPort`; quorum 2 of 3, a primary silent 1 s is down. */
export async function startSentinel(masterPort: number, dir: string): Promise<Server> {
  const port = await freePort();
  const file = path.join(dir, `sentinel-${port}.conf`);
  const template = fs.readFileSync(path.join(import.meta.dirname, 'sentinel.conf'), 'utf8');
  fs.writeFileSync(file, template.replaceAll('{{PORT}}', String(port)).replaceAll('{{MASTER_PORT}}', String(masterPort)).replaceAll('{{MASTER}}', SENTINEL_MASTER).replaceAll('{{DIR}}', dir));
  const server = managed({
    name: `sentinel-${port}`,
    port,
    command: 'redis-server',
    args: [file, '--sentinel'],
    ready: (s) => waitUntil(`sentinel on ${port}`, () => redisPing(port), 20_000, s),
  });
  await server.start();
  return server;
}

export interface RedisSentinelSet {
  primary: RedisNode;
  replica: RedisNode;
  sentinels: Server[];
  /** For REDIS_SENTINELS. */
  sentinelList: string;
  /** The port the Sentinels currently name as primary. */
  currentPrimaryPort(): Promise<number>;
  all(): Server[];
  dir: string;
}

export async function startRedisWithSentinels(dir = tempDir('bazaar-redis-')): Promise<RedisSentinelSet> {
  const primary = await startRedis({ dir });
  const replica = await startRedis({ dir, replicaOf: primary.port });
  const sentinels: Server[] = [];
  for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(primary.port, dir));
  const set: RedisSentinelSet = {
    primary,
    replica,
    sentinels,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async currentPrimaryPort() {
      for (const sentinel of sentinels) {
        if (!sentinel.running()) continue;
        const answer = await redisCli(sentinel.port, 'SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER).catch(() => '');
        const port = Number(answer.split('\n')[1]);
        if (port) return port;
      }
      throw new Error('no Sentinel answers');
    },
    all: () => [...sentinels, replica, primary],
    dir,
  };
  // Sentinels learn of the replica and of each other before a failover can be agreed on.
  await waitUntil('sentinels see the replica and each other', async () => {
    const answer = await redisCli(sentinels[0]!.port, 'SENTINEL', 'master', SENTINEL_MASTER);
    const fields = answer.split('\n');
    const value = (key: string) => Number(fields[fields.indexOf(key) + 1]);
    return value('num-slaves') >= 1 && value('num-other-sentinels') >= 2;
  }, 30_000);
  return set;
}

// ---------- NATS ----------

export interface NatsCluster {
  nodes: Server[];
  /** For NATS_URL: every node, comma-separated. */
  url: string;
  dir: string;
}

export async function startNatsCluster(size = 3, dir = tempDir('bazaar-nats-')): Promise<NatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), http: await freePort() })));
  const template = fs.readFileSync(path.join(import.meta.dirname, 'nats.conf'), 'utf8');
  const nodes = ports.map((p, i) => {
    const file = path.join(dir, `nats-${i + 1}.conf`);
    const routes = ports.filter((_, j) => j !== i).map((o) => `nats-route://127.0.0.1:${o.route}`).join(', ');
    fs.writeFileSync(
      file,
      template
        .replaceAll('{{NAME}}', `n${i + 1}`)
        .replaceAll('{{PORT}}', String(p.client))
        .replaceAll('{{HTTP_PORT}}', String(p.http))
        .replaceAll('{{ROUTE_PORT}}', String(p.route))
        .replaceAll('{{ROUTES}}', routes)
        .replaceAll('{{STORE}}', path.join(dir, `store-${i + 1}`)),
    );
    return managed({
      name: `nats-${i + 1}`,
      port: p.client,
      command: NATS_SERVER,
      args: ['-c', file],
      ready: (s) => waitUntil(`nats node ${i + 1}`, () => portOpen(p.client), 20_000, s),
    });
  });
  await Promise.all(nodes.map((n) => n.start()));
  // JetStream answers once the nodes have elected a meta leader.
  await waitUntil('JetStream cluster has a meta leader', async () => {
    const response = await fetch(`http://127.0.0.1:${ports[0]!.http}/jsz`, { signal: AbortSignal.timeout(1000) });
    const body = (await response.json()) as { meta_cluster?: { leader?: string } };
    return Boolean(body.meta_cluster?.leader);
  }, 30_000);
  return { nodes, url: ports.map((p) => `nats://127.0.0.1:${p.client}`).join(','), dir };
}

// ---------- HAProxy ----------

export interface HaProxy extends Server {
  url: string;
  /** Drains a backend (no new requests) or makes it ready again, through the admin socket. */
  setState(server: string, state: 'ready' | 'drain' | 'maint'): Promise<void>;
  /** Backend servers and their status (UP, DOWN, DRAIN…). */
  backends(): Promise<{ name: string; status: string }[]>;
}

function haproxySocket(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(`${command}\n`);
  });
}

export async function startHaProxy(backends: { name: string; port: number }[], dir = tempDir('bazaar-haproxy-')): Promise<HaProxy> {
  const port = await freePort();
  const socketPath = path.join(dir, 'haproxy.sock');
  const template = fs.readFileSync(path.join(import.meta.dirname, 'haproxy.cfg'), 'utf8');
  const servers = backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port} check`).join('\n');
  const file = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(file, template.replaceAll('{{PORT}}', String(port)).replaceAll('{{SOCKET}}', socketPath).replaceAll('{{SERVERS}}', servers));
  const server = managed({
    name: 'haproxy',
    port,
    command: HAPROXY,
    args: ['-db', '-f', file],
    ready: (s) => waitUntil('haproxy listening', () => portOpen(port), 20_000, s),
  });
  await server.start();
  return Object.assign(server, {
    url: `http://127.0.0.1:${port}`,
    async setState(name: string, state: 'ready' | 'drain' | 'maint') {
      await haproxySocket(socketPath, `set server api/${name} state ${state}`);
    },
    async backends() {
      const csv = await haproxySocket(socketPath, 'show stat');
      return csv
        .split('\n')
        .map((l) => l.split(','))
        .filter((f) => f[0] === 'api' && f[1] !== 'FRONTEND' && f[1] !== 'BACKEND' && f[1])
        .map((f) => ({ name: f[1]!, status: f[17]! }));
    },
  }) as HaProxy;
}
