import { Migrator, type Migration, type MigrationResult } from 'kysely';
import type { Databases, DomainName } from './database.ts';

/** A module's schema: the database domain its tables live in ('every' for per-database tables like the outbox). */
export interface ModuleSchema {
  module: string;
  domain: DomainName | 'every';
  migrations: Record<string, Migration>;
}

export interface MigrationReport {
  database: string;
  applied: string[];
}

function migrationsFor(schemas: readonly ModuleSchema[], domains: DomainName[]): Record<string, Migration> {
  const result: Record<string, Migration> = {};
  for (const schema of schemas) {
    if (schema.domain !== 'every' && !domains.includes(schema.domain)) continue;
    for (const [name, migration] of Object.entries(schema.migrations)) result[`${schema.module}/${name}`] = migration;
  }
  return result;
}

/** Brings every database up to date. Safe to run from several processes: Kysely takes a lock. */
export async function migrateToLatest(databases: Databases, schemas: readonly ModuleSchema[]): Promise<MigrationReport[]> {
  const reports: MigrationReport[] = [];
  for (const handle of databases.handles) {
    const migrations = migrationsFor(schemas, handle.domains);
    const migrator = new Migrator({
      db: handle.db,
      provider: { getMigrations: async () => migrations },
      // Modules add migrations independently; their relative order across modules does not matter.
      allowUnorderedMigrations: true,
      migrationTableName: 'schema_migrations',
      migrationLockTableName: 'schema_migrations_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r: MigrationResult) => r.status === 'Error');
      throw new Error(`Migration ${failed?.migrationName ?? ''} failed on ${handle.name}: ${String((error as Error).message ?? error)}`, {
        cause: error,
      });
    }
    reports.push({ database: handle.name, applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) });
  }
  return reports;
}
