import type { FastifyInstance } from 'fastify';
import { cachedPage } from '../cache.ts';
import { Breadcrumbs, Layout } from '../components/layout.tsx';
import type { Web } from '../context.ts';
import { sendErrorPage, notFoundError } from '../errors.tsx';
import { categoryPath } from '../format.ts';
import { ResultsView } from './results.tsx';
import { RESULTS_PAGE_SIZE } from './search.page.tsx';
import { parseResultsState, resultsKey, toSearchParams } from './search-state.ts';
import { CacheTags } from '../../app/cache-invalidator.ts';

const CATEGORY_TTL_SECONDS = 60;

/** A category: breadcrumbs, its subcategories, and its products (with subcategories') with facets and next page. */
export function registerCategoryPage(app: FastifyInstance, web: Web): void {
  app.get<{ Params: { '*': string } }>('/c/*', async (request, reply) => {
    const path = request.params['*'].replace(/\/+$/, '');
    const { byPath } = await web.categories();
    const category = byPath.get(path);
    if (!category) return sendErrorPage(web, request, reply, notFoundError());
    const base = categoryPath(category);
    const state = parseResultsState(request.query as Record<string, unknown>, category.path);
    return cachedPage(request, reply, { key: resultsKey(base, state), tags: [CacheTags.categories, CacheTags.productLists], ttlSeconds: CATEGORY_TTL_SECONDS }, async () => {
      const [departments, results] = await Promise.all([web.departments(), web.services.search.search(toSearchParams(state, RESULTS_PAGE_SIZE))]);
      const segments = category.path.split('/');
      const trail = [{ name: 'Home', href: '/' }, ...segments.map((_, i) => {
        const node = byPath.get(segments.slice(0, i + 1).join('/'));
        return { name: node?.name ?? segments[i]!, href: node ? categoryPath(node) : undefined };
      })];
      const page = (
        <Layout title={category.name} departments={departments} noindex={Boolean(state.cursor)}>
          <Breadcrumbs trail={trail} />
          <h1 safe>{category.name}</h1>
          {category.children.length > 0 ? (
            <nav aria-label="Subcategories">
              <ul class="subcategories">
                {category.children.map((c) => (
                  <li>
                    <a href={categoryPath(c)} safe>
                      {c.name}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : (
            ''
          )}
          <ResultsView base={base} state={state} results={results} currency={results.products[0]?.currency ?? 'USD'} showCategoryFacet={false} />
        </Layout>
      );
      return { status: 200, contentType: 'text/html; charset=utf-8', body: await page, tags: results.products.map((p) => CacheTags.product(p.id)) };
    });
  });
}
