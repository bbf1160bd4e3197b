import type { FastifyInstance } from 'fastify';
import { CacheTags } from '../../app/cache-invalidator.ts';
import { cachedPage } from '../cache.ts';
import { Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';
import { ResultsView } from './results.tsx';
import { parseResultsState, resultsKey, toSearchParams } from './search-state.ts';

export const RESULTS_PAGE_SIZE = 24;
/** Results lag the catalog by seconds anyway; a short shared lifetime absorbs repeated queries. */
const SEARCH_TTL_SECONDS = 15;

/** Search results: facets with counts, removable filters, sort, "did you mean", next page. */
export function registerSearchPage(app: FastifyInstance, web: Web): void {
  app.get('/search', async (request, reply) => {
    const state = parseResultsState(request.query as Record<string, unknown>);
    return cachedPage(request, reply, { key: resultsKey('/search', state), tags: [CacheTags.productLists], ttlSeconds: SEARCH_TTL_SECONDS }, async () => {
      const [departments, results] = await Promise.all([web.departments(), web.services.search.search(toSearchParams(state, RESULTS_PAGE_SIZE))]);
      const title = state.q ? `Results for “${state.q}”` : 'All products';
      const page = (
        <Layout title={title} departments={departments} query={state.q} noindex={Boolean(state.cursor)}>
          <h1 safe>{title}</h1>
          <ResultsView base="/search" state={state} results={results} currency={results.products[0]?.currency ?? 'USD'} showCategoryFacet />
        </Layout>
      );
      return { status: 200, contentType: 'text/html; charset=utf-8', body: await page, tags: results.products.map((p) => CacheTags.product(p.id)) };
    });
  });
}
