import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PatchBody } from '../../http/routes/catalog-admin.routes.ts';
import { CATALOG_LIMITS, type FamilyDetail, type Product } from '../../modules/catalog/index.ts';
import { MAX_TOTAL_STOCK, type StockLevel, type Warehouse } from '../../modules/inventory/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { CsrfField, Field, FormAlert, Notice } from '../components/form.tsx';
import { imageUrl } from '../components/image.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { notFoundError, sendErrorPage } from '../errors.tsx';
import { errorsFromAppError, FORM_LEVEL, validateObject, type FieldErrors } from '../forms.ts';
import { formatMoney, productPath } from '../format.ts';
import { resolveWebSession } from '../session.ts';
import { PRODUCT_STATUSES, requireStaff, STAFF, textOf, type Staff } from './access.ts';
import { AdminLayout } from './layout.tsx';
import { registerImageUpload } from './product-images.ts';

const DONE: Record<string, string> = { created: 'The product is created. Add its images and stock below.', saved: 'The product is saved; the storefront shows the change within seconds.', stock: 'Stock is saved.', image: 'The image is added.', removed: 'The image is removed.' };

type FormName = 'details' | 'stock' | 'images';

interface EditProps {
  product: Product;
  family?: FamilyDetail | undefined;
  stock: StockLevel[];
  warehouses: Warehouse[];
  csrf: string;
  done?: string;
  refused?: { form: FormName; errors: FieldErrors; values?: Record<string, string> };
}

const fractionDigits = (currency: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** "12.99" → 1299 minor units (in the currency's digits), or undefined when it is not a plain amount. */
export function minorUnits(text: string, currency: string): number | undefined {
  const digits = fractionDigits(currency);
  const match = (digits > 0 ? new RegExp(`^(\\d{1,9})(?:\\.(\\d{1,${digits}}))?$`) : /^(\d{1,9})()$/).exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
}

const majorUnits = (amount: number, currency: string) => {
  const digits = fractionDigits(currency);
  return digits > 0 ? (amount / 10 ** digits).toFixed(digits) : String(amount);
};

function DetailsForm(props: EditProps): JSX.Element {
  const p = props.product;
  const refused = props.refused?.form === 'details' ? props.refused : undefined;
  const v = refused?.values ?? { title: p.title, price: majorUnits(p.price.amount, p.price.currency), status: p.status, purchase_limit: p.purchaseLimit === null ? '' : String(p.purchaseLimit) };
  const errors = refused?.errors;
  return (
    <section class="panel" aria-labelledby="details-title">
      <h2 id="details-title">Details</h2>
      <FormAlert errors={errors} />
      <form method="post" action={`/admin/products/${p.id}`} novalidate data-once>
        <CsrfField token={props.csrf} />
        <Field name="title" label="Title" value={v.title} errors={errors} maxlength={CATALOG_LIMITS.titleMax} required />
        <Field name="price" label={`Price (${p.price.currency})`} value={v.price} errors={errors} inputmode="decimal" hint="For example 24.99" required />
        <div class="field">
          <label for="field-status">Status</label>
          <select id="field-status" name="status">
            {PRODUCT_STATUSES.map((s) => (
              <option value={s} selected={v.status === s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <Field name="purchase_limit" label="Purchase limit per customer per day" type="number" value={v.purchase_limit} errors={errors} hint="Empty: the shop's default" />
        <div class="field">
          <label class="choice">
            <input type="checkbox" name="checkout_challenge" value="true" checked={p.checkoutChallenge} /> <span>Buyers pass a human check at checkout (flash sales)</span>
          </label>
        </div>
        <button class="primary" type="submit">
          Save
        </button>
      </form>
    </section>
  );
}

function StockForm(props: EditProps): JSX.Element {
  const byWarehouse = new Map(props.stock.map((s) => [s.warehouseId, s]));
  const refused = props.refused?.form === 'stock' ? props.refused : undefined;
  return (
    <section class="panel stock" aria-labelledby="stock-title">
      <h2 id="stock-title">Stock per warehouse</h2>
      <FormAlert errors={refused?.errors} />
      <form method="post" action={`/admin/products/${props.product.id}/stock`} data-once>
        <CsrfField token={props.csrf} />
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Warehouse</th>
                <th scope="col">Total</th>
                <th scope="col" class="num">
                  Reserved
                </th>
                <th scope="col" class="num">
                  Sold
                </th>
                <th scope="col" class="num">
                  Available
                </th>
              </tr>
            </thead>
            <tbody>
              {props.warehouses.map((w) => {
                const row = byWarehouse.get(w.id);
                const name = `stock_${w.id}`;
                const error = refused?.errors[name];
                return (
                  <tr>
                    <th scope="row">
                      <label for={`field-${name}`} safe>{`${w.code} · ${w.name}`}</label>
                    </th>
                    <td>
                      <input id={`field-${name}`} name={name} type="number" min="0" max={String(MAX_TOTAL_STOCK)} value={refused?.values?.[name] ?? String(row?.totalStock ?? 0)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `field-${name}-error` : undefined} />
                      {error ? (
                        <span class="error" id={`field-${name}-error`} safe>
                          {error}
                        </span>
                      ) : (
                        ''
                      )}
                    </td>
                    <td class="num" safe>
                      {String(row?.reservedStock ?? 0)}
                    </td>
                    <td class="num" safe>
                      {String(row?.soldStock ?? 0)}
                    </td>
                    <td class="num" safe>
                      {String(row?.available ?? 0)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <button class="primary" type="submit">
          Save stock
        </button>
      </form>
    </section>
  );
}

function ImagesForm(props: EditProps): JSX.Element {
  const p = props.product;
  const refused = props.refused?.form === 'images' ? props.refused : undefined;
  return (
    <section class="panel" aria-labelledby="images-title">
      <h2 id="images-title">Images</h2>
      <FormAlert errors={refused?.errors} />
      {p.images.length === 0 ? <p>No images yet.</p> : ''}
      <ul class="thumbs">
        {p.images.map((src, i) => (
          <li>
            <img src={imageUrl(src, 160)} alt={`Image ${i + 1} of ${p.title}`} width="96" height="96" loading="lazy" />
            <form method="post" action={`/admin/products/${p.id}/images/remove`}>
              <CsrfField token={props.csrf} />
              <input type="hidden" name="url" value={src} />
              <button class="link-button" type="submit" aria-label={`Remove image ${i + 1}`}>
                Remove
              </button>
            </form>
          </li>
        ))}
      </ul>
      <form method="post" action={`/admin/products/${p.id}/images`} enctype="multipart/form-data" data-once>
        <CsrfField token={props.csrf} />
        <div class="field">
          <label for="field-image">Add an image (PNG, JPEG, WebP or SVG, at most 5 MB)</label>
          <input id="field-image" name="image" type="file" accept="image/png,image/jpeg,image/webp,image/svg+xml" required />
        </div>
        <button class="primary" type="submit">
          Upload
        </button>
      </form>
    </section>
  );
}

/** The variation family the product is a child of: its axes and its other children (read-only here). */
function FamilySection(props: { product: Product; family: FamilyDetail }): JSX.Element {
  const { product, family } = props;
  const optionsText = (options: Record<string, string>) => family.axes.map((a) => `${a.name}: ${options[a.name] ?? '—'}`).join(', ');
  return (
    <section class="panel" aria-labelledby="family-title">
      <h2 id="family-title">Variation family</h2>
      <p>
        <strong safe>{family.title}</strong> · <span safe>{family.axes.map((a) => `${a.name} (${a.values.join(', ')})`).join('; ')}</span>
      </p>
      <p safe>{`This product: ${optionsText(product.options)}`}</p>
      <table class="list" aria-label="Products of the family">
        <thead>
          <tr>
            <th scope="col">Options</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Price
            </th>
          </tr>
        </thead>
        <tbody>
          {family.variants.map((v) => (
            <tr>
              <td>
                {v.id === product.id ? (
                  <span safe>{optionsText(v.options)}</span>
                ) : (
                  <a href={`/admin/products/${v.id}`} safe>
                    {optionsText(v.options)}
                  </a>
                )}
              </td>
              <td>{v.status}</td>
              <td class="num" safe>
                {formatMoney(v.price.amount, v.price.currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Edit(props: EditProps): JSX.Element {
  const p = props.product;
  return (
    <>
      {props.done && DONE[props.done] ? (
        <Notice kind="success">
          <p safe>{DONE[props.done]}</p>
        </Notice>
      ) : (
        ''
      )}
      <p>
        <a href="/admin/products">← All products</a>
      </p>
      <h1 safe>{p.title}</h1>
      <p>
        <span safe>{`${p.status} · ${formatMoney(p.price.amount, p.price.currency)} · `}</span>
        <a href={productPath(p)}>View in the storefront</a> · <code safe>{p.id}</code>
      </p>
      <div class="layout-2">
        <div>
          <DetailsForm {...props} />
          <StockForm {...props} />
        </div>
        <aside>
          <ImagesForm {...props} />
          {props.family ? <FamilySection product={p} family={props.family} /> : ''}
        </aside>
      </div>
    </>
  );
}

export function registerAdminProductEdit(app: FastifyInstance, web: Web): void {
  const { catalog, inventory, identity } = web.services;
  const session = resolveWebSession(identity);

  const render = async (request: FastifyRequest, reply: FastifyReply, staff: Staff, id: string, extra: Pick<EditProps, 'done' | 'refused'> = {}, status = 200) => {
    const product = await catalog.assertCanManageProduct(staff.principal, id);
    const [stock, warehouses, family] = await Promise.all([
      inventory.getStock(id),
      inventory.listWarehouses(),
      product.familyId ? web.services.families.getManagedFamily(staff.principal, product.familyId) : Promise.resolve(undefined),
    ]);
    return web.sendPrivate(
      reply,
      <AdminLayout title={product.title} staff={staff} section="products">
        <Edit product={product} family={family} stock={stock} warehouses={warehouses.filter((w) => w.active)} csrf={staff.csrf} {...extra} />
      </AdminLayout>,
      status,
    );
  };

  /** The gate of every product form: staff, a valid id, a product this account manages. */
  const gate = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Staff | undefined> => {
    const staff = await requireStaff(web, request, reply, STAFF);
    if (!staff) return undefined;
    if (!isUuid(request.params.id)) {
      await sendErrorPage(web, request, reply, notFoundError());
      return undefined;
    }
    await catalog.assertCanManageProduct(staff.principal, request.params.id);
    return staff;
  };

  app.get<{ Params: { id: string } }>('/admin/products/:id', { preHandler: session }, async (request, reply) => {
    const staff = await gate(request, reply);
    if (!staff) return reply;
    const done = textOf(request.query, 'done');
    return render(request, reply, staff, request.params.id, done ? { done } : {});
  });

  app.post<{ Params: { id: string } }>('/admin/products/:id', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await gate(request, reply);
    if (!staff) return reply;
    const id = request.params.id;
    const product = await catalog.getProduct(id);
    const values = { title: textOf(request.body, 'title') ?? '', price: textOf(request.body, 'price') ?? '', status: textOf(request.body, 'status') ?? '', purchase_limit: textOf(request.body, 'purchase_limit') ?? '' };
    const amount = minorUnits(values.price, product.price.currency);
    const refuse = (errors: FieldErrors, status: number) => render(request, reply, staff, id, { refused: { form: 'details', errors, values } }, status);
    if (amount === undefined) return refuse({ price: `Enter an amount like ${majorUnits(2499, product.price.currency)}` }, 400);
    const candidate: Record<string, unknown> = {
      title: values.title,
      price: { amount, currency: product.price.currency },
      status: values.status,
      purchase_limit: values.purchase_limit === '' ? null : Number(values.purchase_limit),
      checkout_challenge: textOf(request.body, 'checkout_challenge') === 'true',
    };
    const checked = validateObject(PatchBody, candidate);
    if (!checked.ok) return refuse(checked.errors, 400);
    try {
      await catalog.updateProduct(staff.principal, id, {
        title: values.title,
        price: { amount, currency: product.price.currency },
        status: checked.value.status!,
        purchaseLimit: checked.value.purchase_limit ?? null,
        checkoutChallenge: checked.value.checkout_challenge ?? false,
      });
    } catch (error) {
      return refuse(errorsFromAppError(error, { invalid_title: 'title', invalid_price: 'price', invalid_purchase_limit: 'purchase_limit', invalid_status: 'status' }), 409);
    }
    return reply.redirect(`/admin/products/${id}?done=saved`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/products/:id/stock', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await gate(request, reply);
    if (!staff) return reply;
    const id = request.params.id;
    const [stock, warehouses] = await Promise.all([inventory.getStock(id), inventory.listWarehouses()]);
    const current = new Map(stock.map((s) => [s.warehouseId, s.totalStock]));
    const values: Record<string, string> = {};
    const errors: FieldErrors = {};
    const changes: [string, number][] = [];
    for (const w of warehouses.filter((x) => x.active)) {
      const name = `stock_${w.id}`;
      const text = textOf(request.body, name);
      if (text === undefined) continue;
      values[name] = text;
      const total = /^\d{1,8}$/.test(text) ? Number(text) : NaN;
      if (!(total <= MAX_TOTAL_STOCK)) errors[name] = `Enter a whole number from 0 to ${MAX_TOTAL_STOCK}`;
      else if (total !== (current.get(w.id) ?? 0)) changes.push([w.id, total]);
    }
    if (Object.keys(errors).length > 0) return render(request, reply, staff, id, { refused: { form: 'stock', errors, values } }, 400);
    for (const [warehouseId, total] of changes) {
      try {
        await inventory.setTotalStock(id, warehouseId, total);
      } catch (error) {
        const message = errorsFromAppError(error)[FORM_LEVEL]!;
        return render(request, reply, staff, id, { refused: { form: 'stock', errors: { [`stock_${warehouseId}`]: message, [FORM_LEVEL]: message }, values } }, 409);
      }
    }
    return reply.redirect(`/admin/products/${id}?done=stock`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/products/:id/images/remove', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const staff = await gate(request, reply);
    if (!staff) return reply;
    const id = request.params.id;
    const url = textOf(request.body, 'url');
    const product = await catalog.getProduct(id);
    if (url !== undefined && product.images.includes(url)) await catalog.updateProduct(staff.principal, id, { images: product.images.filter((src) => src !== url) });
    return reply.redirect(`/admin/products/${id}?done=removed`, 303);
  });

  registerImageUpload(app, web, { gate, render: (request, reply, staff, id, errors) => render(request, reply, staff, id, { refused: { form: 'images', errors } }, 400) });
}
