import type { FastifyInstance } from 'fastify';
import { CacheTags } from '../../app/cache-invalidator.ts';
import { cachedPage } from '../cache.ts';
import { Layout } from '../components/layout.tsx';
import { ProductGrid } from '../components/product.tsx';
import type { Web } from '../context.ts';
import { categoryPath } from '../format.ts';
import { toCard } from './search-state.ts';

const FEATURED = 12;

/** Home: departments with their categories and the best-rated products in stock. */
export function registerHomePage(app: FastifyInstance, web: Web): void {
  app.get('/', async (request, reply) =>
    cachedPage(request, reply, { key: 'web:home', tags: [CacheTags.categories, CacheTags.productLists], ttlSeconds: 60 }, async () => {
      const [departments, { roots }, featured] = await Promise.all([
        web.departments(),
        web.categories(),
        web.services.search.search({ sort: 'rating', inStock: true, limit: FEATURED }),
      ]);
      const page = (
        <Layout title="Shop everything" description="Bazaar: shop by department, search and buy." departments={departments}>
          <h1>Welcome to Bazaar</h1>
          <section aria-labelledby="featured">
            <h2 id="featured">Top rated, in stock</h2>
            <ProductGrid products={featured.products.map(toCard)} label="Featured products" />
          </section>
          <section aria-labelledby="departments">
            <h2 id="departments">Shop by department</h2>
            <ul class="departments-grid">
              {roots.map((d) => (
                <li class="panel">
                  <a href={categoryPath(d)}>
                    <strong safe>{d.name}</strong>
                  </a>
                  <ul>
                    {d.children.slice(0, 6).map((c) => (
                      <li>
                        <a href={categoryPath(c)} safe>
                          {c.name}
                        </a>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          </section>
        </Layout>
      );
      return { status: 200, contentType: 'text/html; charset=utf-8', body: await page, tags: featured.products.map((p) => CacheTags.product(p.id)) };
    }),
  );
}
