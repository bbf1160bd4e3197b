import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NewProductBody } from '../../http/routes/catalog-admin.routes.ts';
import { CATALOG_LIMITS, type CategoryNode, type Seller } from '../../modules/catalog/index.ts';
import { CsrfField, Field, FormAlert } from '../components/form.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, validateObject, type FieldErrors } from '../forms.ts';
import { resolveWebSession } from '../session.ts';
import { PRODUCT_STATUSES, requireStaff, STAFF, textOf, type Staff } from './access.ts';
import { AdminLayout } from './layout.tsx';
import { minorUnits } from './product-edit.page.tsx';

const FIELDS = ['seller_id', 'title', 'brand', 'description', 'category_id', 'price', 'currency', 'status'] as const;

interface NewProps {
  staff: Staff;
  sellers: Seller[];
  categories: { id: number; label: string }[];
  values: Record<string, string>;
  errors?: FieldErrors;
}

/** Every category, parents before children, labelled with its path of names. */
function flatten(nodes: CategoryNode[], trail: string[] = []): { id: number; label: string }[] {
  return nodes.flatMap((n) => [{ id: n.id, label: [...trail, n.name].join(' › ') }, ...flatten(n.children, [...trail, n.name])]);
}

function NewProduct(props: NewProps): JSX.Element {
  const { values: v, errors } = props;
  return (
    <section class="panel form-narrow" aria-labelledby="new-title">
      <h1 id="new-title">New product</h1>
      <p class="muted">Images and stock are added on the product's page once it exists.</p>
      <FormAlert errors={errors} />
      <form method="post" action="/admin/products/new" novalidate data-once>
        <CsrfField token={props.staff.csrf} />
        {props.staff.role === 'admin' ? (
          <div class="field">
            <label for="field-seller_id">Seller</label>
            <select id="field-seller_id" name="seller_id" aria-invalid={errors?.seller_id ? 'true' : undefined}>
              {props.sellers.map((s) => (
                <option value={s.id} selected={v.seller_id === s.id} safe>
                  {s.name}
                </option>
              ))}
            </select>
            {errors?.seller_id ? (
              <span class="error" safe>
                {errors.seller_id}
              </span>
            ) : (
              ''
            )}
          </div>
        ) : (
          ''
        )}
        <Field name="title" label="Title" value={v.title} errors={errors} maxlength={CATALOG_LIMITS.titleMax} required />
        <Field name="brand" label="Brand" value={v.brand} errors={errors} maxlength={CATALOG_LIMITS.brandMax} />
        <div class="field">
          <label for="field-description">Description</label>
          <textarea id="field-description" name="description" rows="4" maxlength={CATALOG_LIMITS.descriptionMax} safe>
            {v.description ?? ''}
          </textarea>
        </div>
        <div class="field">
          <label for="field-category_id">Category</label>
          <select id="field-category_id" name="category_id" aria-invalid={errors?.category_id ? 'true' : undefined} aria-describedby={errors?.category_id ? 'field-category_id-error' : undefined}>
            {props.categories.map((c) => (
              <option value={String(c.id)} selected={v.category_id === String(c.id)} safe>
                {c.label}
              </option>
            ))}
          </select>
          {errors?.category_id ? (
            <span class="error" id="field-category_id-error" safe>
              {errors.category_id}
            </span>
          ) : (
            ''
          )}
        </div>
        <Field name="price" label="Price" value={v.price} errors={errors} inputmode="decimal" hint="For example 24.99" required />
        <Field name="currency" label="Currency" value={v.currency ?? 'USD'} errors={errors} maxlength={3} hint="ISO 4217, e.g. USD" required />
        <div class="field">
          <label for="field-status">Status</label>
          <select id="field-status" name="status">
            {PRODUCT_STATUSES.filter((s) => s !== 'suspended').map((s) => (
              <option value={s} selected={(v.status ?? 'active') === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <button class="primary" type="submit">
          Create product
        </button>
      </form>
    </section>
  );
}

export function registerAdminProductNew(app: FastifyInstance, web: Web): void {
  const { catalog, identity } = web.services;
  const session = resolveWebSession(identity);

  const render = async (reply: FastifyReply, staff: Staff, values: Record<string, string>, errors?: FieldErrors, status = 200) => {
    const [sellers, categories] = await Promise.all([staff.role === 'admin' ? catalog.listSellers() : Promise.resolve([]), web.categories()]);
    return web.sendPrivate(
      reply,
      <AdminLayout title="New product" staff={staff} section="products">
        <NewProduct staff={staff} sellers={sellers} categories={flatten(categories.roots)} values={values} {...(errors ? { errors } : {})} />
      </AdminLayout>,
      status,
    );
  };

  app.get('/admin/products/new', { preHandler: session }, async (request: FastifyRequest, reply) => {
    const staff = await requireStaff(web, request, reply, STAFF);
    if (!staff) return reply;
    return render(reply, staff, {});
  });

  app.post('/admin/products/new', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await requireStaff(web, request, reply, STAFF);
    if (!staff) return reply;
    const values = Object.fromEntries(FIELDS.map((f) => [f, textOf(request.body, f) ?? ''])) as Record<(typeof FIELDS)[number], string>;
    const currency = values.currency.toUpperCase();
    const amount = /^[A-Z]{3}$/.test(currency) ? minorUnits(values.price, currency) : undefined;
    if (amount === undefined) return render(reply, staff, values, /^[A-Z]{3}$/.test(currency) ? { price: 'Enter an amount like 24.99' } : { currency: 'Enter a currency code like USD' }, 400);
    const candidate: Record<string, unknown> = {
      title: values.title,
      category_id: Number(values.category_id),
      price: { amount, currency },
      status: values.status || 'active',
      ...(values.description ? { description: values.description } : {}),
      ...(values.brand ? { brand: values.brand } : {}),
      ...(staff.role === 'admin' && values.seller_id ? { seller_id: values.seller_id } : {}),
    };
    const checked = validateObject(NewProductBody, candidate);
    if (!checked.ok) return render(reply, staff, values, checked.errors, 400);
    const b = checked.value;
    try {
      const product = await catalog.createProduct(staff.principal, {
        title: b.title,
        categoryId: b.category_id,
        price: b.price,
        ...(b.status ? { status: b.status } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.brand !== undefined ? { brand: b.brand } : {}),
        ...(b.seller_id !== undefined ? { sellerId: b.seller_id } : {}),
      });
      return reply.redirect(`/admin/products/${product.id}?done=created`, 303);
    } catch (error) {
      const errors = errorsFromAppError(error, { invalid_title: 'title', invalid_price: 'price', invalid_currency: 'currency', invalid_brand: 'brand', invalid_description: 'description', category_not_found: 'category_id', seller_not_found: 'seller_id', seller_required: 'seller_id' });
      return render(reply, staff, values, errors, 409);
    }
  });
}
