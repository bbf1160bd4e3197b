import pg from 'pg';
import { DEPARTMENTS } from '../../src/seed/departments.ts';
import { slugify, split } from '../../src/seed/taxonomy.ts';
import { runLoad } from '../lib/load.ts';
import type { Scenario, ScenarioContext, ScenarioRow } from '../lib/types.ts';

/**
 * Query pools drawn from the seed taxonomy, so every request asks for something the seeded
 * catalog has: two-word product nouns ("running shoe", "espresso machine"), a noun word with
 * one of its leaf's brands and a price band inside the leaf's range, leaf categories for
 * browsing, and 2–4 letter prefixes for autocomplete. Each request picks one at random.
 */
const words = (noun: string) => noun.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
const query = (path: string, params: Record<string, string | number>) =>
  `${path}?${Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&')}`;

const LEAVES = DEPARTMENTS.flatMap((d) => d.leaves);

const TEXT = [...new Set(LEAVES.flatMap((leaf) => split(leaf.nouns).map((noun) => words(noun).slice(-2).join(' '))))]
  .filter((phrase) => phrase.includes(' '))
  .map((q) => query('/v1/search', { q }));

const FILTERED_TEXT = LEAVES.flatMap((leaf) => {
  const [low, high] = leaf.price;
  const min = Math.round(low + (high - low) * 0.1) * 100;
  const band = { price_min: min, price_max: min + Math.round((high - low) * 0.5) * 100 };
  const nounWords = [...new Set(split(leaf.nouns).map((noun) => words(noun).at(-1)!))].slice(0, 2);
  return split(leaf.brands)
    .slice(0, 3)
    .flatMap((brand) => nounWords.map((q) => query('/v1/search', { q, brand, ...band })));
});

const FILTERS_ONLY = LEAVES.map((leaf) => query('/v1/search', { category: slugify(leaf.name), price_max: Math.round((leaf.price[0] + leaf.price[1]) / 2) * 100, rating_min: 4 }));

const PREFIXES = [...new Set(LEAVES.flatMap((leaf) => split(leaf.nouns).flatMap((noun) => [2, 3, 4].map((n) => words(noun)[0]!.slice(0, n)))))].map((q) =>
  query('/v1/search/suggest', { q }),
);

/** Every request its own: a two-word noun with a price cap no other request has, so no answer can be reused. */
let distinctCounter = 0;
const distinctText = () => {
  const base = TEXT[distinctCounter % TEXT.length]!;
  distinctCounter++;
  return `${base}&price_max=${100_000 + distinctCounter}`;
};

const CASES = [
  { label: '(a) two-word text query', pool: TEXT, note: 'q = a two-word product noun ("running shoe"), relevance order, with facets; the same queries recur, as on a live shop' },
  { label: '(a2) two-word text query, every request distinct', pool: TEXT, next: distinctText, note: 'as (a), each request with a price cap of its own: no response, facet count or cached page can be reused' },
  { label: '(b) text + brand + price, facets', pool: FILTERED_TEXT, note: "q = a noun word, brand = one of its leaf's brands, a price band inside the leaf's range" },
  { label: '(c) filters only', pool: FILTERS_ONLY, note: 'category = a leaf, price_max = mid-range, rating_min = 4; popularity order, with facets' },
  { label: '(d) autocomplete', pool: PREFIXES, note: 'GET /v1/search/suggest with a 2–4 letter prefix: titles, brands, categories' },
];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

async function get(baseUrl: string, path: string): Promise<{ ms: number; body: { total_count?: number; degraded?: boolean } }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`);
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { total_count?: number; degraded?: boolean };
  return { ms: performance.now() - started, body };
}

/**
 * Asks each query of a pool once, one at a time: the facet counts of every query are then
 * cached (SEARCH_FACET_CACHE_SECONDS, refreshed in the background), as on a live shop where the
 * same searches recur. Returns the median time of these first, uncached requests.
 */
async function prime(baseUrl: string, pool: string[]): Promise<number> {
  const times: number[] = [];
  for (const path of pool) times.push((await get(baseUrl, path)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}

/** Waits until requests still queued from the previous run are served (autocannon stops waiting for them; the server does not). */
async function drain(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await get(baseUrl, '/v1/search?limit=1')).ms > 500 && Date.now() < deadline);
}

async function run(context: ScenarioContext): Promise<ScenarioRow[]> {
  const { baseUrl, connections, durationSeconds, products, log } = context;
  const probe = (await get(baseUrl, '/v1/search?limit=1')).body;
  if (probe.degraded) throw new Error('search answers degraded: the engine is failing');
  if ((probe.total_count ?? 0) < products * 0.5) {
    throw new Error(`the search index holds ${probe.total_count} of ${products} products: run \`bazaar search reindex\` after seeding`);
  }
  const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
  const rows: ScenarioRow[] = [];
  for (const c of CASES) {
    await drain(baseUrl);
    log(`  priming ${c.pool.length} distinct queries of ${c.label} …`);
    const coldMs = await prime(baseUrl, c.pool);
    const figures = await runLoad(`search ${c.label}`, {
      url: baseUrl,
      connections,
      duration: durationSeconds,
      warmupSeconds,
      requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: 'next' in c && c.next ? c.next() : pick(c.pool) }) }],
    });
    const distinct = 'next' in c ? `${figures.requests.toLocaleString('en-US')} distinct requests` : `${c.pool.length} distinct queries, each first asked alone (median ${coldMs.toFixed(0)} ms uncached)`;
    rows.push({ label: c.label, ...figures, note: `${c.note}; ${distinct}` });
  }
  const index = await describeIndex(baseUrl, context.databaseUrl);
  rows.at(-1)!.note += `. ${index}`;
  return rows;
}

/** The index's size: documents and memory of the API process (from /metrics), and the table with its indexes on PostgreSQL. */
async function describeIndex(baseUrl: string, databaseUrl: string | undefined): Promise<string> {
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const docs = value('bazaar_search_index_documents');
  const rss = value('bazaar_process_resident_memory_bytes') / 2 ** 20;
  const heap = value('bazaar_nodejs_heap_size_used_bytes') / 2 ** 20;
  const parts = [`Index: ${docs.toLocaleString('en-US')} documents in the API process's memory engine (process RSS ${rss.toFixed(0)} MiB, JS heap ${heap.toFixed(0)} MiB)`];
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ total: string; table: string }>(
        `select pg_total_relation_size('search_documents') as total, pg_relation_size('search_documents') as table`,
      );
      const mb = (bytes: string) => (Number(bytes) / 2 ** 20).toFixed(0);
      parts.push(`search_documents on PostgreSQL ${mb(rows[0]!.total)} MiB with its indexes (${mb(rows[0]!.table)} MiB table)`);
    } finally {
      await client.end();
    }
  }
  return parts.join('; ');
}

export const scenario: Scenario = {
  id: 'search',
  title: 'Product search',
  description:
    '`GET /v1/search` and `/v1/search/suggest` as anonymous shoppers over the seeded catalog, answered by the in-memory ' +
    'search engine of the API process (SEARCH_ENGINE=memory, the default: a copy of the index kept fresh from the database by ' +
    'revision), with exact facet counts in the same response. Nothing is cached between requests: each is matched, ranked ' +
    'and counted again; row (a2) makes every request distinct to show it. Each distinct query of a pool is asked once first; ' +
    'the note gives the median of those first answers.',
  run,
};
