import {
  CompiledQuery,
  PostgresDialect,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';

/**
 * Routing of catalog and search reads to a streaming replica (DATABASE_READ_URL), with the
 * primary as the fallback whenever the replica cannot be trusted:
 * - not yet checked, down, or not in recovery (a promoted or misconfigured node);
 * - behind by `maxLagSeconds` or more. Lag is measured as staleness, not bytes: every check
 *   records the primary's WAL position with the time it was read, and the replica is as
 *   old as the newest recorded position it has replayed. So an idle primary costs no lag,
 *   and a replica cut off from its primary ages even though it "has replayed everything it
 *   received";
 * - a statement on it fails with a connection error: that statement is run again on the
 *   primary and the replica is skipped until the next successful check.
 * Transactions opened on the read handle always run on the primary.
 */
export interface ReplicaStatus {
  usable: boolean;
  /** Seconds of staleness at the last check (undefined before the first or when unknown). */
  lagSeconds?: number;
  reason: 'unchecked' | 'ok' | 'down' | 'lagging' | 'not_a_replica';
  /** Reads sent to the replica / to the primary instead. */
  replicaReads: number;
  primaryReads: number;
}

export interface ReplicaMonitorOptions {
  maxLagSeconds: number;
  checkIntervalMs?: number;
  now?: () => number;
}

/** `X/Y` LSN text as a comparable number of bytes. */
export function lsnToBigInt(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** Staleness of a replica that replayed up to `replayed`, from (time, primary position) samples in time order. */
export function stalenessSeconds(samples: readonly { at: number; lsn: bigint }[], replayed: bigint, now: number): number | undefined {
  for (let i = samples.length - 1; i >= 0; i--) {
    const sample = samples[i]!;
    // Everything committed before this sample was taken is on the replica.
    if (sample.lsn <= replayed) return Math.max(0, (now - sample.at) / 1000);
  }
  // Behind even the oldest sample: at least that old.
  return samples.length > 0 ? (now - samples[0]!.at) / 1000 : undefined;
}

export class ReplicaMonitor {
  private samples: { at: number; lsn: bigint }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  readonly status: ReplicaStatus = { usable: false, reason: 'unchecked', replicaReads: 0, primaryReads: 0 };
  private readonly now: () => number;

  constructor(
    private readonly primary: pg.Pool,
    private readonly replica: pg.Pool,
    private readonly options: ReplicaMonitorOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      void this.check().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.options.checkIntervalMs ?? 1000).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One check of both servers; concurrent callers share it. */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  markDown(): void {
    this.status.usable = false;
    this.status.reason = 'down';
  }

  private async runCheck(): Promise<void> {
    const [primary, replica] = await Promise.allSettled([
      this.primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn'),
      this.replica.query<{ recovery: boolean; lsn: string | null }>('select pg_is_in_recovery() as recovery, pg_last_wal_replay_lsn()::text as lsn'),
    ]);
    const now = this.now();
    if (primary.status === 'fulfilled') {
      this.samples.push({ at: now, lsn: lsnToBigInt(primary.value.rows[0]!.lsn) });
      const keepMs = (this.options.maxLagSeconds + 5) * 1000;
      while (this.samples.length > 2 && this.samples[0]!.at < now - keepMs) this.samples.shift();
    }
    if (replica.status === 'rejected') return this.markDown();
    const row = replica.value.rows[0]!;
    if (!row.recovery || row.lsn === null) {
      this.status.usable = false;
      this.status.reason = 'not_a_replica';
      return;
    }
    // A primary that cannot be asked leaves the verdict as it was: the replica may be all that answers.
    if (primary.status === 'rejected') return;
    const lag = stalenessSeconds(this.samples, lsnToBigInt(row.lsn), now);
    if (lag === undefined) return;
    this.status.lagSeconds = lag;
    const lagging = lag >= this.options.maxLagSeconds;
    this.status.usable = !lagging;
    this.status.reason = lagging ? 'lagging' : 'ok';
  }
}

/** Connection errors (as opposed to SQL errors): the server went away or cannot be reached. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^(08|57P0)/.test(code)) return true; // connection exception, admin/crash shutdown
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
    return false;
  }
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Connection is closed/i.test(message);
}

class RoutedConnection implements DatabaseConnection {
  constructor(
    public inner: DatabaseConnection,
    public onReplica: boolean,
    private readonly driver: RoutedDriver,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (!this.onReplica) return this.inner.executeQuery<R>(query);
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      await this.driver.moveToPrimary(this);
      return this.inner.executeQuery<R>(query);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class RoutedDriver implements Driver {
  constructor(
    private readonly primary: Driver,
    private readonly replica: Driver,
    private readonly monitor: ReplicaMonitor,
  ) {}

  async init(): Promise<void> {
    await this.primary.init();
    await this.replica.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.monitor.status.usable) {
      try {
        const connection = await this.replica.acquireConnection();
        this.monitor.status.replicaReads++;
        return new RoutedConnection(connection, true, this);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        this.monitor.markDown();
      }
    }
    this.monitor.status.primaryReads++;
    return new RoutedConnection(await this.primary.acquireConnection(), false, this);
  }

  /** Gives the replica connection back and continues on a primary one (the replica is skipped until the next good check). */
  async moveToPrimary(connection: RoutedConnection): Promise<void> {
    this.monitor.markDown();
    const old = connection.inner;
    connection.inner = await this.primary.acquireConnection();
    connection.onReplica = false;
    this.monitor.status.primaryReads++;
    await this.replica.releaseConnection(old).catch(() => undefined);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const routed = connection as RoutedConnection;
    if (routed.onReplica) {
      const old = routed.inner;
      routed.inner = await this.primary.acquireConnection();
      routed.onReplica = false;
      await this.replica.releaseConnection(old);
    }
    await this.primary.beginTransaction(routed.inner, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.primary.commitTransaction((connection as RoutedConnection).inner);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.primary.rollbackTransaction((connection as RoutedConnection).inner);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const routed = connection as RoutedConnection;
    await (routed.onReplica ? this.replica : this.primary).releaseConnection(routed.inner);
  }

  /** The primary's pool belongs to the primary's own handle, which ends it. */
  async destroy(): Promise<void> {
    this.monitor.stop();
    await this.replica.destroy();
  }
}

/** A dialect whose statements go to the replica while it is usable, else to the primary. */
export class ReadRoutingDialect implements Dialect {
  private readonly base: PostgresDialect;
  constructor(
    private readonly pools: { primary: pg.Pool; replica: pg.Pool },
    readonly monitor: ReplicaMonitor,
  ) {
    this.base = new PostgresDialect({ pool: pools.primary });
  }
  createDriver(): Driver {
    return new RoutedDriver(new PostgresDialect({ pool: this.pools.primary }).createDriver(), new PostgresDialect({ pool: this.pools.replica }).createDriver(), this.monitor);
  }
  createQueryCompiler() {
    return this.base.createQueryCompiler();
  }
  createAdapter() {
    return this.base.createAdapter();
  }
  createIntrospector(db: Kysely<any>) {
    return this.base.createIntrospector(db);
  }
}
