import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { cacheDelta, describeDelta, readCacheCounters } from '../lib/cache-metrics.ts';
import { fetchProductIds } from '../lib/catalog.ts';
import { runLoad, type LoadOptions } from '../lib/load.ts';
import { freePort, ROOT } from '../lib/processes.ts';
import { describeProfile, summarizeProfile } from '../lib/profile.ts';
import type { LoadFigures, Scenario, ScenarioContext, ScenarioRow } from '../lib/types.ts';

const WARM_SAMPLE = 10_000;
const SPIKE_SECONDS = Number(process.env.BENCH_SPIKE_SECONDS ?? 60);
const SPIKE_STEPS = 10;
const VARNISHD = process.env.BENCH_VARNISHD ?? '/usr/sbin/varnishd';

const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
};

/** A load whose cache figures (hit ratio, renders, statements per render) come from the API's /metrics around it. */
async function measured(baseUrl: string, label: string, options: LoadOptions): Promise<{ figures: LoadFigures; cache: string; hitRatio: number }> {
  const before = await readCacheCounters(baseUrl);
  const figures = await runLoad(label, options);
  const delta = cacheDelta(before, await readCacheCounters(baseUrl));
  return { figures, cache: describeDelta(delta), hitRatio: delta.hitRatio };
}

/** Asks every id once (16 at a time), so the random-id rows start warm. */
async function touchAll(baseUrl: string, ids: string[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < ids.length) await (await fetch(`${baseUrl}/v1/products/${ids[next++]}`)).arrayBuffer();
  }));
}

/** Waits until the API renders nothing in the background any more (a second without a render, at most 30 s). */
async function settle(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = (await readCacheCounters(baseUrl)).renders;
  let quietSince = Date.now();
  while (Date.now() < deadline && Date.now() - quietSince < 1000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = (await readCacheCounters(baseUrl)).renders;
    if (now !== last) quietSince = Date.now();
    last = now;
  }
}

function randomIds(ids: string[]) {
  return [{ method: 'GET', setupRequest: (request: object) => ({ ...request, path: `/v1/products/${ids[Math.floor(Math.random() * ids.length)]}` }) }];
}

/** The rows that depend on the cache level: cold (each id once), hot, random over 10,000, spike. */
async function cacheRows(context: ScenarioContext, baseUrl: string, suffix: string): Promise<{ rows: ScenarioRow[]; capacity: number }> {
  const { connections, durationSeconds, log } = context;
  const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
  log(`  listing product ids${suffix} …`);
  const all = shuffled(await fetchProductIds(baseUrl, context.products));
  const rows: ScenarioRow[] = [];

  // Cold: every request asks for a product nobody asked for yet (the listing above cached lists, not pages).
  let cursor = 0;
  const cold = await measured(baseUrl, `cold, each of ${all.length.toLocaleString('en-US')} ids once${suffix}`, {
    url: baseUrl,
    connections,
    amount: Math.min(all.length, durationSeconds * 20_000),
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/products/${all[cursor++ % all.length]}` }) }],
  });
  rows.push({
    label: `cache cold, random ids over ${all.length.toLocaleString('en-US')} products${suffix}`,
    ...cold.figures,
    note: `each request a product not asked for before (no warm-up); ${cold.cache}`,
  });

  const sample = all.slice(0, WARM_SAMPLE);
  await settle(baseUrl);
  const hot = await measured(baseUrl, `one hot id${suffix}`, { url: `${baseUrl}/v1/products/${sample[0]}`, connections, duration: durationSeconds, warmupSeconds });
  rows.push({ label: `one hot id, cache warm${suffix}`, ...hot.figures, note: `goal ≥ 0.8× bare Fastify, p99 < 10 ms; ${hot.cache}` });
  // Warm the sample right before the rows that need it warm (pages are fresh for 20 s), and let background refreshes finish.
  await touchAll(baseUrl, sample);
  await settle(baseUrl);
  const spread = await measured(baseUrl, `random ids over ${sample.length}${suffix}`, { url: baseUrl, connections, duration: durationSeconds, warmupSeconds, requests: randomIds(sample) });
  // The load generator picks a path per request here, on the same cores: measure bare Fastify that way too.
  const bareRandom = await runLoad('bare Fastify, random paths', {
    url: context.referenceUrl,
    connections,
    duration: durationSeconds,
    warmupSeconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/product/${sample[Math.floor(Math.random() * sample.length)]}` }) }],
  });
  const sameClient = bareRandom.requestsPerSecond > 0 ? (spread.figures.requestsPerSecond / bareRandom.requestsPerSecond).toFixed(2) : 'n/a';
  rows.push({
    label: `random ids over ${sample.length.toLocaleString('en-US')} products, cache warm${suffix}`,
    ...spread.figures,
    note: `goal ≥ 0.6× bare Fastify; bare Fastify driven the same way (a random path per request) did ${Math.round(bareRandom.requestsPerSecond)} req/s, ${sameClient}× of that; ${spread.cache}`,
  });

  rows.push(await spike(context, baseUrl, sample, spread.figures.requestsPerSecond, suffix));
  return { rows, capacity: spread.figures.requestsPerSecond };
}

/** Load stepped from 10 % to 100 % of the measured capacity over SPIKE_SECONDS: the spec's 10x spike. */
async function spike(context: ScenarioContext, baseUrl: string, ids: string[], capacity: number, suffix: string): Promise<ScenarioRow> {
  const stepSeconds = Math.max(1, Math.round(SPIKE_SECONDS / SPIKE_STEPS));
  const before = await readCacheCounters(baseUrl);
  const steps: LoadFigures[] = [];
  for (let i = 1; i <= SPIKE_STEPS; i++) {
    const rate = Math.max(1, Math.round((capacity * i) / SPIKE_STEPS));
    steps.push(await runLoad(`spike step ${i}/${SPIKE_STEPS} at ${rate} req/s${suffix}`, { url: baseUrl, connections: context.connections, duration: stepSeconds, overallRate: rate, requests: randomIds(ids) }));
  }
  const delta = cacheDelta(before, await readCacheCounters(baseUrl));
  const requests = steps.reduce((n, s) => n + s.requests, 0);
  const worst = Math.max(...steps.map((s) => s.p99Ms));
  return {
    label: `10x spike: 10 % → 100 % of capacity over ${stepSeconds * SPIKE_STEPS} s${suffix}`,
    requestsPerSecond: steps[steps.length - 1]!.requestsPerSecond,
    p50Ms: steps[steps.length - 1]!.p50Ms,
    p99Ms: worst,
    requests,
    errors: steps.reduce((n, s) => n + s.errors, 0),
    non2xx: steps.reduce((n, s) => n + s.non2xx, 0),
    note:
      `goal p99 < 25 ms, zero errors, hit ratio > 95 %; capacity = the warm random-id row (${Math.round(capacity)} req/s); ` +
      `req/s and p50 of the last (100 %) step, p99 of the worst step; p99 per step ${steps.map((s) => s.p99Ms).join(' / ')} ms; ${describeDelta(delta)}`,
  };
}

async function revalidation(context: ScenarioContext, baseUrl: string, id: string): Promise<ScenarioRow> {
  const etag = (await fetch(`${baseUrl}/v1/products/${id}`)).headers.get('etag')!;
  const figures = await runLoad('304 revalidation', {
    url: `${baseUrl}/v1/products/${id}`,
    connections: context.connections,
    duration: context.durationSeconds,
    warmupSeconds: Number(process.env.BENCH_WARMUP ?? 2),
    headers: { 'if-none-match': etag },
  });
  return { label: '304 revalidation (If-None-Match of the hot id)', ...figures, note: 'goal ≥ 0.9× bare Fastify; every answer is a 304, counted as non-2xx by the load generator' };
}

/** deploy/varnish/run.sh in front of the API; undefined when varnishd is not installed. */
async function startVarnish(origin: string): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  if (!fs.existsSync(VARNISHD)) return undefined;
  const port = await freePort();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-bench-varnish-'));
  const child = spawn(path.join(ROOT, 'deploy', 'varnish', 'run.sh'), [], {
    env: { ...process.env, ORIGIN: new URL(origin).host, LISTEN: `127.0.0.1:${port}`, WORK_DIR: work, VARNISHD },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    fs.rmSync(work, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop };
    } catch {
      // Not up yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error('varnishd did not come up');
}

async function throughVarnish(context: ScenarioContext, id: string): Promise<ScenarioRow | undefined> {
  const varnish = await startVarnish(context.baseUrl);
  if (!varnish) {
    context.log(`  ${VARNISHD} not found: no Varnish row`);
    return undefined;
  }
  try {
    const figures = await runLoad('through Varnish, hot', { url: `${varnish.url}/v1/products/${id}`, connections: context.connections, duration: context.durationSeconds, warmupSeconds: 2 });
    return { label: 'through Varnish (deploy/varnish), one hot id', ...figures, note: 'Varnish 7.1 on this machine in front of the same API process; answers from its cache' };
  } finally {
    await varnish.stop();
  }
}

/** A separate API process under --cpu-prof, loaded with the hot id, and where its CPU time went. */
async function profileHotPath(context: ScenarioContext, id: string): Promise<string[]> {
  if (!context.startApi) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-bench-prof-'));
  try {
    const api = await context.startApi({ name: 'bazaar API (profiled)', nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
    await runLoad('profiled: one hot id', { url: `${api.url}/v1/products/${id}`, connections: context.connections, duration: context.durationSeconds, warmupSeconds: 2 });
    await api.stop();
    const summary = summarizeProfile(dir, context.durationSeconds);
    return summary ? describeProfile(summary) : ['(no CPU profile was written)'];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function run(context: ScenarioContext): Promise<ScenarioRow[]> {
  const { rows } = await cacheRows(context, context.baseUrl, '');
  const [hotId] = await fetchProductIds(context.baseUrl, 1);
  rows.push(await revalidation(context, context.baseUrl, hotId!));
  const varnish = await throughVarnish(context, hotId!);
  if (varnish) rows.push(varnish);
  if (context.redisUrl && context.startApi) {
    const prefix = `bench${Date.now().toString(36)}:`;
    const api = await context.startApi({ name: 'bazaar API (Redis)', env: { REDIS_URL: context.redisUrl, REDIS_KEY_PREFIX: prefix } });
    rows.push(...(await cacheRows(context, api.url, ' (REDIS_URL set)')).rows);
    await api.stop();
  }
  context.details?.(await profileHotPath(context, hotId!));
  return rows;
}

export const scenario: Scenario = {
  id: 'product-detail',
  title: 'Product detail page',
  description:
    '`GET /v1/products/:id` as anonymous shoppers, through the response cache (serialized body, ETag and headers in ' +
    'an in-process LRU, and in Redis when REDIS_URL is set; single-flight per key, stale-while-revalidate). Cold: ' +
    'every request a product not asked for before, so each is rendered (two SQL statements). Warm: the same ' +
    'products asked again. The spike steps the warm load from 10 % to 100 % of the warm rate.',
  run,
};
