/**
 * `npm run fault-matrix` (FAULT_MATRIX_SHORT=1: the CI version, a few minutes): brings the
 * local cluster up, and for each fault of the spec's failure table runs a checkout load and
 * a browse load through HAProxy, injects the fault, lets everything in flight land, and counts
 * in the database what happened. Writes docs/RELIABILITY.md and exits 1 if any row broke an
 * invariant. Every server and process it started is stopped, also on failure or Ctrl+C.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, createBuyer, startLoad, type Buyer, type Load } from './load.ts';
import { countRow, settled, violations, type RowCounts } from './counts.ts';
import { startTopology, ROOT, type Topology } from './topology.ts';
import { waitUntil } from './servers.ts';
import { runEmbeddedDiskRow, type EmbeddedRow } from './embedded-disk.ts';

const SHORT = process.env.FAULT_MATRIX_SHORT === '1';
const WARM_MS = SHORT ? 2_500 : 8_000;
const AFTER_MS = SHORT ? 3_000 : 10_000;
const BUYERS = SHORT ? 4 : 8;
const BROWSERS = SHORT ? 2 : 4;
const started = Date.now();
const say = (text: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  tag: string;
  fault: string;
  expected: string;
  /** Buyers of this row (default: the approving card's). */
  buyers?: (buyers: Record<string, Buyer[]>) => Buyer[];
  /** What was done, and any expectation of the row's own that failed. */
  inject(t: Topology, probe: LoginProbe): Promise<string | { note: string; problems: string[] }>;
}

/** Signs one buyer in every 200 ms while a fault lasts, counting the answers (rate limits fail closed on sign-in). */
interface LoginProbe {
  during<T>(work: () => Promise<T>): Promise<{ result: T; answers: Record<string, number> }>;
  /** Seconds until a sign-in succeeds (undefined if none within `timeoutMs`). */
  recovers(timeoutMs: number): Promise<number | undefined>;
}

const ROWS: Row[] = [
  {
    tag: 'api-kill',
    fault: 'kill -9 one API process',
    expected: 'clients retry through HAProxy with the same Idempotency-Key: no lost or double order',
    async inject(t) {
      const victim = t.apis[0]!;
      await victim.stop('SIGKILL');
      await sleep(2_000);
      await victim.start();
      await waitUntil('HAProxy sees it up again', async () => (await t.haproxy.backends()).every((b) => b.status === 'UP'), 30_000);
      return `${victim.id} killed, restarted`;
    },
  },
  {
    tag: 'worker-kill',
    fault: 'kill -9 a worker mid-batch',
    expected: 'redelivery; no double effect; lag back to 0',
    async inject(t) {
      const victim = t.workers[0]!;
      await victim.stop('SIGKILL');
      await sleep(3_000);
      await victim.start();
      return `${victim.id} killed while events flowed, restarted`;
    },
  },
  {
    tag: 'nats-node',
    fault: 'one NATS node down, then back',
    expected: 'no message lost; publishes continue (R3)',
    async inject(t) {
      const victim = t.nats.nodes[1]!;
      await victim.stop('SIGKILL');
      await sleep(SHORT ? 4_000 : 10_000);
      await victim.start();
      return `${victim.name} killed for ${SHORT ? 4 : 10} s`;
    },
  },
  {
    tag: 'pg-restart',
    fault: 'PostgreSQL primary restarted mid-load',
    expected: 'checkouts fail cleanly (503 with a retry hint) or succeed; retries with the same key converge; pools recover without a process restart',
    async inject(t) {
      await t.primary.stop('SIGINT');
      await sleep(1_000);
      await t.primary.start();
      return 'fast shutdown, 1 s down, started again';
    },
  },
  {
    tag: 'replica-down',
    fault: 'replica down',
    expected: 'browse reads fall back to the primary; no checkout touches the replica',
    async inject(t) {
      await t.replica.stop('SIGKILL');
      await sleep(SHORT ? 4_000 : 10_000);
      await t.replica.start();
      return `replica killed for ${SHORT ? 4 : 10} s`;
    },
  },
  {
    tag: 'redis-failover',
    fault: 'Redis primary down (Sentinel failover)',
    expected: 'browsing continues from L1 and the database; rate limits fail closed on auth routes and open elsewhere',
    async inject(t, probe) {
      const port = await t.redis.currentPrimaryPort();
      const victim = [t.redis.primary, t.redis.replica].find((n) => n.port === port)!;
      const { result: failover, answers } = await probe.during(async () => {
        await victim.stop('SIGKILL');
        const at = Date.now();
        await waitUntil('Sentinels promote the replica', async () => (await t.redis.currentPrimaryPort()) !== port, 30_000);
        await sleep(2_000);
        return ((Date.now() - at) / 1000).toFixed(1);
      });
      const recovered = await probe.recovers(30_000);
      const note = `primary on ${port} killed; Sentinels promoted the replica after about ${failover} s (the old primary stays down); sign-ins meanwhile: ${fmt(answers)}; signing in worked again ${recovered === undefined ? 'NOT within 30 s' : `${recovered.toFixed(1)} s later`}`;
      return { note, problems: recovered === undefined ? ['sign-in did not recover after the failover'] : [] };
    },
  },
  {
    tag: 'payment-slow',
    fault: 'payment provider slow / timing out',
    expected: 'reservations released; no orphan charge',
    buyers: (b) => [...b.timeout!, ...b.slow!, ...b.visa!.slice(0, 2)],
    async inject() {
      await sleep(SHORT ? 4_000 : 10_000);
      return 'buyers with tok_timeout (never answers) and tok_slow (answers after the timeout) check out beside approving ones';
    },
  },
];

interface Result {
  row: Row;
  note: string;
  load: Load;
  counts: RowCounts;
  problems: string[];
  settleSeconds: number;
}

async function settle(t: Topology, tag: string, load: Load): Promise<{ counts: RowCounts; seconds: number }> {
  const at = Date.now();
  let counts = await countRow(t.databaseUrl, tag, load.checkout.acknowledged);
  // Reservations of abandoned checkouts go back with the saga's recovery (or the sweeper after their TTL).
  while (!settled(counts) && Date.now() - at < (SHORT ? 60_000 : 120_000)) {
    await sleep(1_000);
    counts = await countRow(t.databaseUrl, tag, load.checkout.acknowledged);
  }
  return { counts, seconds: (Date.now() - at) / 1000 };
}

function fmt(record: Record<string, number>): string {
  const entries = Object.entries(record);
  return entries.length === 0 ? '—' : entries.map(([k, v]) => `${k} ×${v}`).join(', ');
}

function report(results: Result[], embedded: EmbeddedRow | undefined, topology: string): string {
  const lines = [
    '# Reliability: the fault matrix',
    '',
    '<!-- Generated by `npm run fault-matrix` (deploy/local-cluster/fault-matrix.ts); do not edit by hand. -->',
    '',
    `Run: ${new Date().toISOString().slice(0, 16)} UTC, ${SHORT ? 'short version (FAULT_MATRIX_SHORT=1)' : 'full version'}, on ${topology}.`,
    `Each row: ${BUYERS} buyers check out in a loop (one item, a fresh Idempotency-Key per purchase, retried with the same key on a transient answer: a connection error, 502/504, or 503 with Retry-After) and ${BROWSERS} browsers read product pages, lists and searches, all through HAProxy; the fault is injected ${WARM_MS / 1000} s in; the load runs ${AFTER_MS / 1000} s more, then the suite waits until every checkout, event and reservation has landed and counts in the primary database. Database counts (payments, units, events, notifications) are cumulative over the run; order/acknowledgement counts are the row's own.`,
    '',
    '| fault | expected | what happened | orders acked / in DB (lost, doubled, unacked) | captured payments / orders (orphans) | units sold / in orders | events applied / expected (unpublished, dead) | notifications (missing, doubled) | checkout answers | browse ok / total | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const c = r.counts;
    const ck = r.load.checkout;
    lines.push(
      `| ${r.row.fault} | ${r.row.expected} | ${r.note}; settled in ${r.settleSeconds.toFixed(0)} s | ${c.acknowledged} / ${c.ordersForKeys} (${c.lostOrders}, ${c.doubledOrders}, ${c.unacknowledgedOrders}) | ${c.capturedPayments} / ${c.orders} (${c.capturesWithoutOrder} without order, ${c.ordersWithoutCapture} unpaid) | ${c.unitsSold} / ${c.unitsInOrders} (reserved ${c.reservedUnits}) | ${c.eventsApplied} / ${c.eventsExpected} (${c.eventsUnpublished}, ${c.deadLetters}) | ${c.ordersWithoutPlacedNotification}, ${c.doubledNotifications} | ${ck.attempts} purchases, ${ck.retries} retries; transient: ${fmt(ck.transient)}; refused: ${fmt(ck.refused)}; abandoned ${ck.abandoned}; 500s ${ck.internalErrors}; 503 without Retry-After ${ck.withoutRetryAfter} | ${r.load.browse.ok} / ${r.load.browse.requests}${Object.keys(r.load.browse.failed).length ? ` (${fmt(r.load.browse.failed)})` : ''} | ${r.problems.length === 0 ? 'ok' : `**FAILED**: ${r.problems.join('; ')}`} |`,
    );
  }
  if (embedded) {
    lines.push(
      `| ${embedded.fault} | ${embedded.expected} | ${embedded.note} | — | — | — | — | — | ${embedded.answers} | — | ${embedded.problems.length === 0 ? 'ok' : `**FAILED**: ${embedded.problems.join('; ')}`} |`,
    );
  }
  lines.push(
    '',
    'Reading the table: *lost* = acknowledged to a client but absent from the database; *doubled* = two orders for one key; *unacked* = in the database for a key whose client gave up or was answered with a refusal first (never lost money: each has its captured payment). "Captured payments / orders": every order has a captured payment and no captured payment lacks an order (compensations refund). Events: for each consumer, the events of the types it consumes against those it applied (at most once: `processed_events` is keyed by consumer and event).',
    '',
    'Rate limits while Redis fails over: sign-in and registration fail closed (`503 rate_limit_unavailable`), cart and checkout limits fail open (the checkout load goes on), and the flash-sale pre-filter (a sold-out flag in the cache) degrades to a miss, so admission falls back to the inventory database. The Redis row signs one buyer in every 200 ms during the failover and lists the answers.',
    '',
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  let topology: Topology | undefined;
  const stop = async () => {
    say('stopping the cluster');
    await topology?.stop().catch(() => undefined);
  };
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    void stop().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    topology = await startTopology({
      apis: 2,
      workers: 2,
      products: 40,
      progress: (step) => say(`starting ${step}`),
      env: {
        RATE_LIMIT_PER_MINUTE: '1000000',
        LOGIN_ATTEMPTS_PER_ACCOUNT: '1000000',
        DEFAULT_PURCHASE_LIMIT: '1000000',
        PAYMENT_TIMEOUT_MS: '700',
        PAYMENT_MAX_ATTEMPTS: '2',
        PAYMENT_RETRY_BASE_MS: '50',
        SANDBOX_SLOW_MS: '1500',
        RESERVATION_TTL_SECONDS: '15',
        SWEEP_INTERVAL_SECONDS: '2',
        SAGA_RECOVERY_INTERVAL_SECONDS: '3',
        SAGA_STALE_SECONDS: '6',
        SIMULATOR_STEP_SECONDS: '1',
        EVENTS_ACK_WAIT_MS: '3000',
        EVENTS_RETRY_BASE_MS: '200',
      },
    });
    const t = topology;
    const client = new Client(t.haproxy.url);
    say('creating buyers and reading the catalog');
    const buyers: Record<string, Buyer[]> = { visa: [], timeout: [], slow: [] };
    for (let i = 0; i < BUYERS; i++) buyers.visa!.push(await createBuyer(client, 'tok_visa'));
    for (let i = 0; i < 2; i++) buyers.timeout!.push(await createBuyer(client, 'tok_timeout'));
    for (let i = 0; i < 2; i++) buyers.slow!.push(await createBuyer(client, 'tok_slow'));
    const list = await client.call('GET', '/v1/products?limit=40');
    const products = (list.body.items ?? list.body.products ?? []) as { id: string; title: string }[];
    if (products.length === 0) throw new Error(`no products to buy: ${JSON.stringify(list.body).slice(0, 300)}`);
    const productIds = products.map((p) => p.id);
    const words = [...new Set(products.flatMap((p) => p.title.toLowerCase().split(/\W+/).filter((w) => w.length > 3)))].slice(0, 30);
    const prober = buyers.visa![0]!;
    const probe: LoginProbe = {
      async during(work) {
        const answers: Record<string, number> = {};
        let done = false;
        const loop = (async () => {
          while (!done) {
            const answer = await client.call('POST', '/v1/auth/login', { body: { email: prober.email, password: prober.password }, timeoutMs: 5_000 }).catch(() => undefined);
            const key = answer ? `${answer.status}${answer.body?.error?.code ? `:${answer.body.error.code}` : ''}` : 'network';
            answers[key] = (answers[key] ?? 0) + 1;
            await sleep(200);
          }
        })();
        try {
          return { result: await work(), answers };
        } finally {
          done = true;
          await loop;
        }
      },
      async recovers(timeoutMs) {
        const at = Date.now();
        while (Date.now() - at < timeoutMs) {
          const answer = await client.call('POST', '/v1/auth/login', { body: { email: prober.email, password: prober.password }, timeoutMs: 5_000 }).catch(() => undefined);
          if (answer?.status === 200) return (Date.now() - at) / 1000;
          await sleep(200);
        }
        return undefined;
      },
    };
    const results: Result[] = [];
    for (const row of ROWS) {
      say(`row: ${row.fault}`);
      const load = startLoad(client, { tag: row.tag, buyers: row.buyers ? row.buyers(buyers) : buyers.visa!, productIds, words, browsers: BROWSERS, retryDeadlineMs: 45_000 });
      await sleep(WARM_MS);
      const injected = await row.inject(t, probe);
      const note = typeof injected === 'string' ? injected : injected.note;
      await sleep(AFTER_MS);
      await load.stop();
      const { counts, seconds } = await settle(t, row.tag, load);
      const problems = [...violations(counts), ...(typeof injected === 'string' ? [] : injected.problems)];
      // A process that died by itself (not the row's victim, which was restarted) is a finding; restart it so later rows mean something.
      for (const node of [...t.apis, ...t.workers]) {
        if (node.running()) continue;
        const log = fs.readFileSync(path.join(t.dir, 'logs', `${node.id}.log`), 'utf8').split('\n').filter((l) => l.includes('"level":60') || /Error|uncaught/i.test(l)).slice(-1)[0] ?? '';
        problems.push(`${node.id} died (${log.slice(0, 160).replaceAll('|', '/')})`);
        await node.start().catch(() => undefined);
      }
      if (load.checkout.internalErrors > 0) problems.push(`${load.checkout.internalErrors} answers were 500`);
      if (load.checkout.withoutRetryAfter > 0) problems.push(`${load.checkout.withoutRetryAfter} 503s without Retry-After`);
      if (load.checkout.acknowledged.size === 0) problems.push('no checkout succeeded');
      if (row.tag === 'replica-down' || row.tag === 'redis-failover') {
        const failedBrowse = Object.values(load.browse.failed).reduce((a, b) => a + b, 0);
        if (failedBrowse > 0) problems.push(`${failedBrowse} browse requests failed`);
      }
      results.push({ row, note, load, counts, problems, settleSeconds: seconds });
      say(`  ${problems.length === 0 ? 'ok' : `FAILED: ${problems.join('; ')}`} — ${load.checkout.acknowledged.size} orders acknowledged, ${load.browse.ok}/${load.browse.requests} browse ok`);
    }
    const description = `HAProxy, 2 API and 2 worker processes, PostgreSQL 15 primary + streaming replica behind PgBouncer (transaction mode), NATS JetStream 3 nodes (R3), Redis + replica + 3 Sentinels`;
    await stop();
    topology = undefined;
    say('row: embedded database on a full disk');
    const embedded = await runEmbeddedDiskRow(say);
    fs.writeFileSync(path.join(ROOT, 'docs', 'RELIABILITY.md'), report(results, embedded, description));
    say('wrote docs/RELIABILITY.md');
    const failed = results.filter((r) => r.problems.length > 0).length + (embedded.problems.length > 0 ? 1 : 0);
    say(failed === 0 ? 'every row held' : `${failed} rows FAILED`);
    return failed === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`fault matrix aborted: ${error instanceof Error ? error.stack : String(error)}\n`);
    return 1;
  } finally {
    await stop();
  }
}

process.exit(await main());
