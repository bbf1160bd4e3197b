import { fetchProductIds } from '../lib/catalog.ts';
import { runLoad } from '../lib/load.ts';
import type { Scenario, ScenarioContext } from '../lib/types.ts';

async function run(context: ScenarioContext) {
  const { baseUrl, connections, durationSeconds, log } = context;
  log('  listing product ids through GET /v1/products …');
  const ids = await fetchProductIds(baseUrl);
  if (ids.length === 0) throw new Error('the catalog lists no products: was it seeded?');
  log(`  ${ids.length.toLocaleString('en-US')} product ids`);
  const warmupSeconds = Number(process.env.BENCH_WARMUP ?? 2);

  const spread = await runLoad('GET /v1/products/:id (random ids)', {
    url: baseUrl,
    connections,
    duration: durationSeconds,
    warmupSeconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/v1/products/${ids[Math.floor(Math.random() * ids.length)]}` }) }],
  });
  const hot = await runLoad('GET /v1/products/:id (one hot id)', {
    url: `${baseUrl}/v1/products/${ids[0]}`,
    connections,
    duration: durationSeconds,
    warmupSeconds,
  });
  return [
    { label: `random ids (${ids.length.toLocaleString('en-US')} distinct)`, ...spread, note: 'each request picks one of the listed active products at random' },
    { label: 'one hot id', ...hot, note: 'every request asks for the same product: the cached path' },
  ];
}

export const scenario: Scenario = {
  id: 'product-detail',
  title: 'Product detail page',
  description:
    '`GET /v1/products/:id` as anonymous shoppers: product from the catalog (cache-aside, ' +
    'PRODUCT_CACHE_SECONDS) enriched with approximate availability, ETag and Cache-Control computed per response.',
  run,
};
