import { Kysely, type LogEvent } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from '../../src/platform/pglite-dialect.ts';
import { createPostgresKysely, openPGlite, single, type Databases, type DatabaseHandle, type DomainName } from '../../src/platform/database.ts';
import { newId } from '../../src/platform/ids.ts';

export type Backend = 'pglite' | 'postgres';

/**
 * Backends every database test runs on: PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set. CI sets it and fails if the server is unreachable.
 */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** Backends for tests that only mean something with real concurrency. */
export const CONCURRENT_BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['postgres'] : [];

/** When set, inventory and orders live in databases of their own, as in a split deployment. */
export const SPLIT_DATABASES = process.env.TEST_SPLIT_DATABASES === '1';

export interface TestDatabases extends Databases {
  /** Connection URLs per domain (postgres only), for spawning worker processes. */
  urls?: Record<DomainName, string>;
  /** Every statement sent through these handles (database name, SQL), oldest first; `statements()` counts them. */
  statementLog: { database: string; sql: string }[];
}

/** Records the statements (each one a round trip) sent to one database. */
function recorder(into: TestDatabases['statementLog'], database: string) {
  return (event: LogEvent) => {
    if (event.level === 'query') into.push({ database, sql: event.query.sql });
  };
}

function serverUrl(database: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createPostgresDatabase(): Promise<string> {
  const name = `bazaar_test_${newId().replaceAll('-', '').slice(-16)}`;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return name;
}

async function dropPostgresDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

let template: Promise<Blob> | undefined;

/**
 * A freshly initialized PGlite data directory, made once per test worker: initdb is most of
 * the cost of a new PGlite database (about 5 s of CPU on a loaded 2-core machine, against 1 s
 * to load this), and every suite creates its own.
 */
export function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const pglite = await openPGlite('memory://');
    try {
      return await pglite.dumpDataDir('none');
    } finally {
      await pglite.close();
    }
  })();
  return template;
}

/** Initializes an on-disk PGlite directory from the template, for tests that start processes on it. */
export async function initializedDataDir(dir: string): Promise<void> {
  const pglite = await openPGlite(dir, { template: await pgliteTemplate() });
  await pglite.close();
}

/** A fresh, empty set of databases for one test suite; `close()` also drops them. */
export async function createTestDatabases(backend: Backend, options: { poolSize?: number; split?: boolean } = {}): Promise<TestDatabases> {
  const statementLog: TestDatabases['statementLog'] = [];
  if (backend === 'pglite') {
    const pglite = await openPGlite('memory://', { template: await pgliteTemplate() });
    return { ...single('pglite', new Kysely<any>({ dialect: new PGliteDialect(pglite), log: recorder(statementLog, 'embedded') })), statementLog, statements: () => statementLog.length };
  }
  const split = options.split ?? SPLIT_DATABASES;
  const poolSize = options.poolSize ?? 20;
  const names = split ? [await createPostgresDatabase(), await createPostgresDatabase(), await createPostgresDatabase()] : [await createPostgresDatabase()];
  const handles: DatabaseHandle[] = names.map((name, i) => ({
    name,
    db: createPostgresKysely(serverUrl(name), poolSize, recorder(statementLog, split ? (['main', 'inventory', 'orders'] as const)[i]! : 'all')),
    domains: split ? ([['main'], ['inventory'], ['orders']][i] as DomainName[]) : ['main', 'inventory', 'orders'],
  }));
  const forDomain = (domain: DomainName) => handles.find((h) => h.domains.includes(domain))!;
  const urls = { main: serverUrl(forDomain('main').name), inventory: serverUrl(forDomain('inventory').name), orders: serverUrl(forDomain('orders').name) };
  return {
    kind: 'postgres',
    main: forDomain('main').db,
    read: forDomain('main').db,
    inventory: forDomain('inventory').db,
    orders: forDomain('orders').db,
    handles,
    urls,
    statementLog,
    statements: () => statementLog.length,
    async ping() {
      for (const h of handles) await h.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    },
    async close() {
      for (const h of handles) await h.db.destroy();
      for (const name of names) await dropPostgresDatabase(name);
    },
  };
}
