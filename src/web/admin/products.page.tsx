import type { FastifyInstance } from 'fastify';
import { StaffProductsQuery } from '../../http/routes/staff-catalog.routes.ts';
import type { Product } from '../../modules/catalog/index.ts';
import { Field, FormAlert } from '../components/form.tsx';
import { imageUrl } from '../components/image.tsx';
import type { Web } from '../context.ts';
import { validateForm } from '../forms.ts';
import { formatMoney } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { PRODUCT_STATUSES, queryString, requireStaff, STAFF } from './access.ts';
import { AdminLayout, Pager } from './layout.tsx';
import { registerAdminProductEdit } from './product-edit.page.tsx';
import { registerAdminProductNew } from './product-new.page.tsx';

const FIELDS = ['q', 'status', 'cursor'] as const;
const PAGE_SIZE = 25;

function ProductsTable(props: { products: Product[]; stock: Map<string, number> }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="list" aria-label="Products">
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">Product</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Price
            </th>
            <th scope="col" class="num">
              Available
            </th>
          </tr>
        </thead>
        <tbody>
          {props.products.map((p) => (
            <tr>
              <td>{p.images[0] ? <img src={imageUrl(p.images[0], 160)} alt="" width="48" height="48" loading="lazy" /> : ''}</td>
              <td>
                <a href={`/admin/products/${p.id}`} safe>
                  {p.title}
                </a>
                <br />
                <span class="muted" safe>
                  {p.brand ?? ''}
                </span>
              </td>
              <td>{p.status}</td>
              <td class="num" safe>
                {formatMoney(p.price.amount, p.price.currency)}
              </td>
              <td class="num" safe>
                {String(props.stock.get(p.id) ?? 0)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function registerAdminProductPages(app: FastifyInstance, web: Web): void {
  const session = resolveWebSession(web.services.identity);
  app.get('/admin/products', { preHandler: session }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply, STAFF);
    if (!staff) return reply;
    const form = validateForm(StaffProductsQuery, request.query, FIELDS);
    const values = form.ok ? { q: form.value.q ?? '', status: form.value.status ?? '' } : form.values;
    let products: Product[] = [];
    let next: string | null = null;
    if (form.ok) {
      const page = await web.services.catalog.listProductsForStaff(staff.principal, {
        limit: PAGE_SIZE,
        ...(form.value.q ? { q: form.value.q } : {}),
        ...(form.value.status ? { status: form.value.status } : {}),
        ...(form.value.cursor ? { cursor: form.value.cursor } : {}),
      });
      products = page.products;
      next = page.nextCursor ? `/admin/products${queryString({ q: values.q, status: values.status, cursor: page.nextCursor })}` : null;
    }
    const availability = await web.services.inventory.getAvailability(products.map((p) => p.id));
    const stock = new Map([...availability].map(([id, a]) => [id, a.available]));
    return web.sendPrivate(
      reply,
      <AdminLayout title="Products" staff={staff} section="products">
        <h1>Products</h1>
        <p>
          <a class="button" href="/admin/products/new">
            New product
          </a>
        </p>
        <form class="filters" method="get" action="/admin/products" role="search" aria-label="Filter products">
          <Field name="q" label="Title, brand or id" value={values.q} errors={form.ok ? undefined : form.errors} maxlength={200} />
          <div class="field">
            <label for="field-status">Status</label>
            <select id="field-status" name="status">
              <option value="">Any</option>
              {PRODUCT_STATUSES.map((s) => (
                <option value={s} selected={values.status === s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button class="primary" type="submit">
            Filter
          </button>
          <a href="/admin/products">Clear</a>
        </form>
        {form.ok ? '' : <FormAlert errors={form.errors} />}
        {products.length === 0 ? <p>No products match.</p> : <ProductsTable products={products} stock={stock} />}
        <Pager next={next} />
      </AdminLayout>,
      form.ok ? 200 : 400,
    );
  });
  registerAdminProductNew(app, web);
  registerAdminProductEdit(app, web);
}
