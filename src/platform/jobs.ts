import { sql, type Kysely } from 'kysely';
import type { Logger } from './logger.ts';

/** A background task run every `intervalMs` (sweeper, relay, expiry). */
export interface PeriodicJob {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
  /**
   * When set, at most one process runs this job at a time: it holds a PostgreSQL
   * transaction-scoped advisory lock on `lockKey` for the duration of a run. Omitted on
   * PGlite, which only one process can open anyway.
   */
  singleton?: { db: Kysely<any>; lockKey: number };
}

/** A stable 31-bit lock key for a job name. */
export function lockKeyFor(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return Math.abs(h) % 2 ** 31;
}

/**
 * Runs `fn` only if this process wins the advisory lock; returns whether it ran.
 *
 * The lock is transaction-scoped (`pg_try_advisory_xact_lock` in a transaction held open
 * while `fn` runs on other connections), never a session lock: behind PgBouncer in
 * transaction mode a session lock is taken on whichever server connection the statement
 * happened to get, outlives our "unlock" sent on another one, and is then held by a pooled
 * connection forever. A transaction keeps its server connection until it ends, so the lock
 * is released with it — also when this process dies (the server rolls the transaction back).
 */
export async function withAdvisoryLock(db: Kysely<any>, key: number, fn: () => Promise<unknown>): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${key}) as locked`.execute(trx);
    if (!rows[0]?.locked) return false;
    await fn();
    return true;
  });
}

export class JobRunner {
  private timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  start(job: PeriodicJob, runImmediately = true): void {
    const tick = async () => {
      if (this.stopped) return;
      const run = this.runOnce(job);
      this.running.add(run);
      await run;
      this.running.delete(run);
      if (!this.stopped) this.timers.set(job.name, setTimeout(tick, job.intervalMs).unref());
    };
    this.timers.set(job.name, setTimeout(tick, runImmediately ? 0 : job.intervalMs).unref());
  }

  async runOnce(job: PeriodicJob): Promise<void> {
    try {
      if (job.singleton) await withAdvisoryLock(job.singleton.db, job.singleton.lockKey, () => job.run());
      else await job.run();
    } catch (error) {
      this.logger.error({ err: error, job: job.name }, 'background job failed');
    }
  }

  /** Stops scheduling and waits for runs in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running);
  }
}
