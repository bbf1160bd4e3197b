import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type LogEvent, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from './config.ts';
import { acquireOwnerLock } from './embedded-owner.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { isConnectionError, ReadRoutingDialect, ReplicaMonitor, type ReplicaStatus } from './read-replica.ts';

/**
 * The three ACID domains of the spec. With one database URL they are the same
 * database; with INVENTORY_DATABASE_URL / ORDERS_DATABASE_URL they are separate and
 * no transaction ever spans two of them (the checkout saga keeps them consistent).
 */
export type DomainName = 'main' | 'inventory' | 'orders';
export const DOMAINS: readonly DomainName[] = ['main', 'inventory', 'orders'];

/** A query executor: the database or a transaction on it, so repositories compose inside a service's transaction. */
export type Executor<T> = Kysely<T> | Transaction<T>;

export interface DatabaseHandle {
  name: string;
  db: Kysely<any>;
  /** Domains stored in this database. */
  domains: DomainName[];
}

export interface Databases {
  kind: 'pglite' | 'postgres';
  main: Kysely<any>;
  inventory: Kysely<any>;
  orders: Kysely<any>;
  /**
   * Catalog and search reads that may be stale (browse pages, lists, search): the replica of
   * DATABASE_READ_URL while it is usable, else `main`. Never for cart, checkout, orders or inventory.
   */
  read: Kysely<any>;
  /** The replica's health when DATABASE_READ_URL is set. */
  replica?(): ReplicaStatus;
  /** Each physical database once, with the domains it holds. */
  handles: DatabaseHandle[];
  /** Statements executed through these handles since they were opened (absent for handles built elsewhere, e.g. by tests). */
  statements?(): number;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Counts executed statements, for `bazaar_db_statements_total` (what a cache miss costs). */
function statementCounter() {
  let count = 0;
  const log = (event: LogEvent) => {
    if (event.level === 'query') count++;
  };
  return { log, read: () => count };
}

// int8 (counts, sums, bigserial) as numbers, the same on pg and PGlite; every value we store fits in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
// Calendar dates stay 'YYYY-MM-DD' strings: a Date would shift them by the server's time zone.
pg.types.setTypeParser(1082, (value) => value);

/**
 * Opens an embedded database. `template` (a `dumpDataDir()` of a fresh one) stands in for
 * initdb, the bulk of the cost of creating a database; tests create many.
 */
export async function openPGlite(dataDir: string, options: { template?: Blob } = {}): Promise<PGlite> {
  if (dataDir !== 'memory://') fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir, {
    extensions: { pg_trgm },
    parsers: { 20: (value: string) => Number(value), 1082: (value: string) => value },
    ...(options.template ? { loadDataDir: options.template } : {}),
  });
  return pglite;
}

export function createPostgresPool(url: string, poolSize: number): pg.Pool {
  // A server that went away (a restart, a failover) must fail the waiting query quickly, not hang it.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server must not crash the process; the next query reports the error.
  pool.on('error', () => {});
  // Nor a client checked out between two statements of a transaction (a restart of the server, or
  // PgBouncer closing the client connection): pg emits 'error' on it with no listener, which would
  // be an uncaught exception. The transaction's next statement fails instead, and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

export function createPostgresKysely(url: string, poolSize: number, log?: (event: LogEvent) => void): Kysely<any> {
  return new Kysely<any>({ dialect: new PostgresDialect({ pool: createPostgresPool(url, poolSize) }), ...(log ? { log } : {}) });
}

/**
 * The read handle over DATABASE_URL's pool and DATABASE_READ_URL's (see read-replica.ts):
 * only catalog and search reads use it.
 */
function createReadKysely(primary: pg.Pool, config: Config, log: (event: LogEvent) => void): { db: Kysely<any>; monitor: ReplicaMonitor } {
  const replica = createPostgresPool(config.databaseReadUrl!, config.dbPoolSize);
  const monitor = new ReplicaMonitor(primary, replica, { maxLagSeconds: config.databaseReadMaxLagSeconds });
  // Checked from the start, so the first browse read already knows where to go.
  monitor.start();
  const db = new Kysely<any>({ dialect: new ReadRoutingDialect({ primary, replica }, monitor), log });
  return {
    db: Object.assign(db, {
      async destroy() {
        monitor.stop();
        await Kysely.prototype.destroy.call(db);
        // Kysely only ends the replica's pool if a statement ever ran on the handle.
        await replica.end().catch(() => undefined);
      },
    }),
    monitor,
  };
}

export interface OpenOptions {
  /** What this process is, for the lock of the embedded database ("all", "seed --products 300"…). */
  command?: string;
}

/**
 * Opens the configured databases. The embedded one is locked to this process first (see
 * embedded-owner.ts): a second process gets `database_in_use`, never a diverging copy.
 */
export async function openDatabases(config: Config, options: OpenOptions = {}): Promise<Databases> {
  const counter = statementCounter();
  if (!config.databaseUrl) {
    const lock = config.pglitePath === 'memory://' ? undefined : acquireOwnerLock(config.pglitePath, options.command ?? (process.argv.slice(2).join(' ') || 'bazaar'));
    try {
      const pglite = await openPGlite(config.pglitePath);
      const databases: Databases = { ...single('pglite', new Kysely<any>({ dialect: new PGliteDialect(pglite), log: counter.log })), statements: counter.read };
      if (!lock) return databases;
      return {
        ...databases,
        async close() {
          try {
            await databases.close();
          } finally {
            lock.release();
          }
        },
      };
    } catch (error) {
      lock?.release();
      throw error;
    }
  }
  const urls: Record<DomainName, string> = {
    main: config.databaseUrl,
    inventory: config.inventoryDatabaseUrl ?? config.databaseUrl,
    orders: config.ordersDatabaseUrl ?? config.databaseUrl,
  };
  const byUrl = new Map<string, DatabaseHandle>();
  let mainPool: pg.Pool | undefined;
  for (const domain of DOMAINS) {
    const url = urls[domain];
    const existing = byUrl.get(url);
    if (existing) {
      existing.domains.push(domain);
      continue;
    }
    const pool = createPostgresPool(url, config.dbPoolSize);
    if (domain === 'main') mainPool = pool;
    byUrl.set(url, { name: redact(url), db: new Kysely<any>({ dialect: new PostgresDialect({ pool }), log: counter.log }), domains: [domain] });
  }
  const handles = [...byUrl.values()];
  const forDomain = (domain: DomainName) => byUrl.get(urls[domain])!.db;
  const databases = { ...build('postgres', handles, forDomain), statements: counter.read };
  if (!config.databaseReadUrl) return databases;
  const read = createReadKysely(mainPool!, config, counter.log);
  return {
    ...databases,
    read: read.db,
    replica: () => ({ ...read.monitor.status }),
    async close() {
      await read.db.destroy();
      await databases.close();
    },
  };
}

export function single(kind: Databases['kind'], db: Kysely<any>, name = 'embedded'): Databases {
  return build(kind, [{ name, db, domains: [...DOMAINS] }], () => db);
}

function build(kind: Databases['kind'], handles: DatabaseHandle[], forDomain: (d: DomainName) => Kysely<any>): Databases {
  return {
    kind,
    main: forDomain('main'),
    read: forDomain('main'),
    inventory: forDomain('inventory'),
    orders: forDomain('orders'),
    handles,
    async ping() {
      for (const handle of handles) await handle.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    },
    async close() {
      for (const handle of handles) await handle.db.destroy();
    },
  };
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/**
 * The database cannot be reached or refuses work for now (a restart, a failover, a pooler
 * out of server connections) — as opposed to a statement that is wrong. Looks through
 * `cause` chains. The HTTP layer answers these `503 database_unavailable` with Retry-After.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isConnectionError(e)) return true;
    const code = pgErrorCode(e);
    // too_many_connections, cannot_connect_now (starting up / shutting down), PgBouncer's protocol errors (query_wait_timeout, server login failing)
    if (code === '53300' || code === '57P03' || code === '08P01') return true;
  }
  return false;
}

/** PostgreSQL error codes we translate into domain errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_CHECK_VIOLATION = '23514';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

export function pgErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
