import { sql, type Kysely } from 'kysely';
import { percentile } from './shoppers.ts';
import type { ScenarioRow } from './types.ts';

const ROWS = 1000;

/**
 * pgbench-style reference for the buy path: the reservation statement alone
 * (`UPDATE … SET reserved = reserved + 1 WHERE id = $1 AND total - reserved - sold >= 1`)
 * on random rows of a scratch table in the benchmark's own database, with `connections`
 * concurrent clients (one on PGlite, which has one connection).
 */
export async function measureConditionalUpdate(db: Kysely<any>, kind: 'pglite' | 'postgres', seconds: number, connections: number): Promise<ScenarioRow> {
  await sql`create table bench_reference_stock (id int primary key, total int not null, reserved int not null default 0, sold int not null default 0)`.execute(db);
  try {
    await sql`insert into bench_reference_stock (id, total) select g, 1000000000 from generate_series(1, ${ROWS}) g`.execute(db);
    const clients = kind === 'pglite' ? 1 : connections;
    const latencies: number[] = [];
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const started = performance.now();
          await sql`update bench_reference_stock set reserved = reserved + 1 where id = ${1 + Math.floor(Math.random() * ROWS)} and total - reserved - sold >= 1`.execute(db);
          latencies.push(performance.now() - started);
        }
      }),
    );
    return {
      label: `reference: single-row conditional UPDATE, ${clients} client${clients > 1 ? 's' : ''} (measured in-process before the API started)`,
      requestsPerSecond: latencies.length / seconds,
      p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
      p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
      requests: latencies.length,
      errors: 0,
      non2xx: 0,
      note: 'statements per second of the reservation UPDATE alone on the same database: the ceiling one stock row can sustain',
    };
  } finally {
    await sql`drop table bench_reference_stock`.execute(db);
  }
}
