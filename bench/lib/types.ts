/** Figures of one load run. Latencies in milliseconds. */
export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses outside 2xx. */
  non2xx: number;
}

/** One line of a scenario's table. */
export interface ScenarioRow extends LoadFigures {
  label: string;
  /** What the row measured, shown under the table. */
  note?: string;
}

export interface ScenarioContext {
  /** The bazaar API under test, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** The bare Fastify reference server (GET /product returns a product-sized object). */
  referenceUrl: string;
  /** Products seeded into the database. */
  products: number;
  durationSeconds: number;
  connections: number;
  /** An admin account in the benchmark database, for scenarios that set stock. */
  admin?: { email: string; password: string };
  /** The benchmark database on a PostgreSQL server (absent on PGlite, which the API process owns). */
  databaseUrl?: string;
  /** Single-row conditional UPDATE throughput on the same database, measured before the API started. */
  conditionalUpdateReference?: ScenarioRow;
  /** Another API process on the same database, with extra settings (stopped when the run ends). */
  startApi?(options: { name: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<{ url: string; stop(): Promise<void> }>;
  /** BENCH_REDIS_URL: a Redis for scenarios that also measure with REDIS_URL set. */
  redisUrl?: string;
  /** Markdown lines printed under the scenario's table (e.g. a CPU profile). */
  details?(lines: string[]): void;
  log(message: string): void;
}

/**
 * A benchmark scenario: one file in bench/scenarios/ exporting `scenario`. Files run in name
 * order; BENCH_SCENARIOS=<id,id> selects some.
 */
export interface Scenario {
  id: string;
  title: string;
  /** A sentence on what is measured and why, printed above the table. */
  description: string;
  run(context: ScenarioContext): Promise<ScenarioRow[]>;
}

export interface ScenarioReport {
  scenario: Pick<Scenario, 'id' | 'title' | 'description'>;
  rows: ScenarioRow[];
  /** Why the scenario stopped, when it threw; the other scenarios still run. */
  error?: string;
  details?: string[];
}
