import { brotliCompressSync, gzipSync } from 'node:zlib';
import { fetchProductIds } from '../lib/catalog.ts';
import { runLoad } from '../lib/load.ts';
import type { Scenario, ScenarioContext, ScenarioRow } from '../lib/types.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const BROWSER = { accept: 'text/html', 'accept-encoding': 'br, gzip' };

/** HTML bytes (raw and brotli) and the JavaScript a page loads (brotli, as served), for the table's notes. */
async function pageWeight(baseUrl: string, path: string): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { accept: 'text/html' } });
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
  const html = await response.text();
  let js = 0;
  for (const match of html.matchAll(/<script[^>]*src="([^"]+)"/g)) {
    const script = Buffer.from(await (await fetch(`${baseUrl}${match[1]}`)).arrayBuffer());
    js += brotliCompressSync(script).length;
  }
  const raw = Buffer.byteLength(html);
  return `HTML ${kb(raw)} (${kb(brotliCompressSync(html).length)} br, ${kb(gzipSync(html).length)} gzip), JavaScript ${kb(js)} br`;
}

/** Two-word queries from product titles, so "cold" searches do not repeat. */
async function queryWords(baseUrl: string): Promise<string[]> {
  const response = await fetch(`${baseUrl}/v1/products?limit=100`);
  const body = (await response.json()) as { products: { title: string }[] };
  const words = new Set<string>();
  for (const p of body.products) for (const w of p.title.toLowerCase().split(/[^a-z]+/)) if (w.length > 3) words.add(w);
  return [...words];
}

async function run(context: ScenarioContext): Promise<ScenarioRow[]> {
  const { baseUrl, connections, durationSeconds, log } = context;
  const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);
  const ids = await fetchProductIds(baseUrl);
  if (ids.length === 0) throw new Error('the catalog lists no products: was it seeded?');
  const words = await queryWords(baseUrl);
  const categories = (await (await fetch(`${baseUrl}/v1/categories`)).json()) as { categories: { path: string }[] };
  const category = `/c/${categories.categories[0]!.path}`;
  const hotProduct = `/p/${ids[0]}`;
  const hotSearch = '/search?q=wireless+headphones';
  log(`  ${ids.length.toLocaleString('en-US')} product pages, ${words.length} query words`);
  const weights = {
    home: await pageWeight(baseUrl, '/'),
    product: await pageWeight(baseUrl, hotProduct),
    search: await pageWeight(baseUrl, hotSearch),
    category: await pageWeight(baseUrl, category),
  };
  const etag = (await fetch(`${baseUrl}${hotProduct}`, { headers: BROWSER })).headers.get('etag')!;
  const random = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  const load = (title: string, requests: Parameters<typeof runLoad>[1]['requests'], url = baseUrl) =>
    runLoad(title, { url, connections, duration: durationSeconds, warmupSeconds, headers: BROWSER, requests });

  const productCold = await load('product page HTML, random ids', [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/p/${random(ids)}` }) }]);
  const productWarm = await load('product page HTML, one hot id', [{ method: 'GET', path: hotProduct }]);
  const productRevalidate = await load('product page, If-None-Match (304)', [{ method: 'GET', path: hotProduct, headers: { ...BROWSER, 'if-none-match': etag } }]);
  const searchCold = await load('search page HTML, random two-word queries', [
    { method: 'GET', setupRequest: (r) => ({ ...r, path: `/search?q=${random(words)}+${random(words)}` }) },
  ]);
  const searchWarm = await load('search page HTML, one query', [{ method: 'GET', path: hotSearch }]);
  const home = await load('home page HTML', [{ method: 'GET', path: '/' }]);
  const categoryPage = await load('category page HTML', [{ method: 'GET', path: category }]);
  const origin = '(no response cache yet: every request renders; cached pages only set Cache-Control/ETag)';
  return [
    { label: 'product page, random ids (cold)', ...productCold, note: `${weights.product} ${origin}` },
    { label: 'product page, one hot id (warm)', ...productWarm, note: 'catalog and availability caches warm; the page is still rendered per request' },
    { label: 'product page, If-None-Match → 304', ...productRevalidate, note: 'what a CDN revalidating a stale copy costs the origin' },
    { label: 'search page, random queries (cold)', ...searchCold, note: `${weights.search}` },
    { label: 'search page, one query (warm)', ...searchWarm, note: 'facet cache warm' },
    { label: 'home page', ...home, note: weights.home },
    { label: 'category page', ...categoryPage, note: weights.category },
  ];
}

export const scenario: Scenario = {
  id: 'storefront',
  title: 'Storefront HTML pages',
  description:
    'Server-rendered storefront pages as anonymous browsers ask for them (Accept: text/html, brotli): the product page ' +
    'and the search results page with cold and warm caches, the 304 a CDN revalidation gets, home and a category. ' +
    'Notes give each page type\u2019s HTML and JavaScript bytes.',
  run,
};
