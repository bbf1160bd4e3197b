import type { FastifyInstance } from 'fastify';
import type { FamilyDetail, Product } from '../../modules/catalog/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { AppError } from '../../platform/errors.ts';
import { CacheTags } from '../../app/cache-invalidator.ts';
import { cachedPage } from '../cache.ts';
import { imageUrl, ResponsiveImage, srcset } from '../components/image.tsx';
import { Breadcrumbs, Layout } from '../components/layout.tsx';
import { AvailabilityBadge, Price, Rating } from '../components/product.tsx';
import type { CategoryIndex, Web } from '../context.ts';
import { categoryPath } from '../format.ts';
import { NotFoundBody } from './not-found.tsx';
import { OptionPicker, type FamilyView } from './product.options.tsx';

/** The product's family (active children only) with their availability, or undefined for a product on its own. */
async function familyOf(web: Web, product: Product): Promise<{ family: FamilyDetail; availability: (id: string) => string } | undefined> {
  if (!product.familyId) return undefined;
  try {
    return await web.services.productPages.publicFamily(product.familyId);
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') return undefined;
    throw error;
  }
}

function trailOf(product: Product, categories: CategoryIndex) {
  const own = categories.byId.get(product.categoryId);
  if (!own) return [{ name: 'Home', href: '/' }, { name: product.title }];
  const segments = own.path.split('/');
  return [
    { name: 'Home', href: '/' },
    ...segments.map((_, i) => {
      const node = categories.byPath.get(segments.slice(0, i + 1).join('/'));
      return { name: node?.name ?? segments[i]!, href: node ? categoryPath(node) : undefined };
    }),
    { name: product.title },
  ];
}

function Gallery(props: { product: Product }): JSX.Element {
  const [main] = props.product.images;
  return (
    <section class="gallery" aria-label="Images">
      <ResponsiveImage class="main" src={main ?? null} alt={props.product.title} widths={[320, 480, 640, 960]} sizes="(max-width: 860px) 100vw, 560px" eager />
      {props.product.images.length > 1 ? (
        <ul>
          {props.product.images.map((src, i) => (
            <li>
              <a href={imageUrl(src, 960)} data-full={imageUrl(src, 640)} data-srcset={srcset(src, [320, 480, 640, 960])}>
                <ResponsiveImage src={src} alt={`Image ${i + 1} of ${props.product.title}`} widths={[160]} sizes="72px" />
              </a>
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </section>
  );
}

function Attributes(props: { attributes: Product['attributes'] }): JSX.Element {
  const entries = Object.entries(props.attributes);
  if (entries.length === 0) return '';
  return (
    <section aria-labelledby="details">
      <h2 id="details">Details</h2>
      <table class="attributes">
        <tbody>
          {entries.map(([name, value]) => (
            <tr>
              <th scope="row" safe>
                {name.replaceAll('_', ' ')}
              </th>
              <td safe>{typeof value === 'boolean' ? (value ? 'Yes' : 'No') : String(value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Add to cart: no CSRF token (the page is shared-cached); the origin check of verifyCsrf protects it. */
function BuyBox(props: { product: Product; availability: string; maxQuantity: number; family?: FamilyView }): JSX.Element {
  const p = props.product;
  const soldOut = props.availability === 'out_of_stock';
  return (
    <section class="buy-box" aria-label="Buy">
      <p>
        <Price amount={p.price.amount} currency={p.price.currency} />
      </p>
      {props.family ? <OptionPicker view={props.family} product={p} /> : ''}
      <p>
        <AvailabilityBadge status={props.availability} />
      </p>
      <p class="delivery" data-personal="delivery">
        Sign in with a saved address to see when it arrives.
      </p>
      {soldOut ? (
        <p>This item is out of stock right now.</p>
      ) : (
        <form method="post" action="/cart/items">
          <input type="hidden" name="product_id" value={p.id} />
          <div class="field">
            <label for="quantity">Quantity</label>
            <input id="quantity" name="quantity" type="number" min="1" max={String(Math.min(p.purchaseLimit ?? props.maxQuantity, props.maxQuantity))} value="1" inputmode="numeric" />
          </div>
          <button class="primary" type="submit">
            Add to cart
          </button>
        </form>
      )}
    </section>
  );
}

/** The page of an active product, with its own availability and, in a family, its siblings'. */
async function renderProduct(web: Web, view: { product: Product; availability: string }, siblings: Awaited<ReturnType<typeof familyOf>>) {
  const own = view.product;
  const family = siblings?.family;
  const availability = new Map<string, string>([[own.id, view.availability]]);
  for (const variant of family?.variants ?? []) if (variant.id !== own.id) availability.set(variant.id, siblings!.availability(variant.id));
  const [departments, categories] = await Promise.all([web.departments(), web.categories()]);
  // A child shows the family's shared description and, when it has none of its own, its images.
  const product: Product = family ? { ...own, description: own.description || family.description, images: own.images.length > 0 ? own.images : family.images } : own;
  const familyView = family ? { family, availability } : undefined;
  return (
    <Layout title={product.title} description={product.description.slice(0, 160)} departments={departments}>
      <Breadcrumbs trail={trailOf(product, categories)} />
      <article class="product" data-product-id={product.id}>
        <Gallery product={product} />
        <div>
          <h1 safe>{product.title}</h1>
          {product.brand ? (
            <p class="muted">
              Brand: <span safe>{product.brand}</span>
            </p>
          ) : (
            ''
          )}
          <p>
            <Rating rating={product.avgRating} reviews={product.reviewCount} />
          </p>
          <BuyBox product={product} availability={availability.get(own.id) ?? 'unknown'} maxQuantity={web.ctx.config.cartMaxQuantity} {...(familyView ? { family: familyView } : {})} />
          <section aria-labelledby="about">
            <h2 id="about">About this item</h2>
            <p class="description" safe>
              {product.description}
            </p>
          </section>
          <Attributes attributes={product.attributes} />
        </div>
      </article>
    </Layout>
  );
}

/** The product page: shared-cached, personal parts (delivery promise) filled after load. */
export function registerProductPage(app: FastifyInstance, web: Web): void {
  const handler = async (request: import('fastify').FastifyRequest<{ Params: { id: string } }>, reply: import('fastify').FastifyReply) => {
    const id = request.params.id.toLowerCase();
    const ttl = web.ctx.config.productCacheSeconds;
    return cachedPage(request, reply, { key: `web:product:${id}`, tags: [CacheTags.product(id)], ttlSeconds: ttl }, async () => {
      let view: { product: Product; availability: string };
      try {
        if (!isUuid(id)) throw new AppError('product_not_found', 'not_found', 'No such product');
        view = await web.services.productPages.publicProduct(id);
      } catch (error) {
        if (error instanceof AppError && error.kind === 'not_found') return { status: 404, contentType: 'text/html; charset=utf-8', body: await NotFoundBody({ web, what: 'product' }) };
        throw error;
      }
      const siblings = await familyOf(web, view.product);
      // With a family the page also shows every sibling's availability and the family's texts.
      const tags = siblings ? [CacheTags.family(siblings.family.id), ...siblings.family.variants.map((v) => CacheTags.product(v.id))] : [];
      return { status: 200, contentType: 'text/html; charset=utf-8', body: await renderProduct(web, view, siblings), tags };
    });
  };

  app.get<{ Params: { id: string } }>('/p/:id', handler);
  app.get<{ Params: { id: string; slug: string } }>('/p/:id/:slug', handler);
}
