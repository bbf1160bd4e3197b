import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Cart, CartLine } from '../../modules/cart/index.ts';
import { isUuid } from '../../platform/ids.ts';
import { AddCartItemBody, SetQuantityBody } from '../../http/routes/cart.routes.ts';
import { CsrfField, Notice } from '../components/form.tsx';
import { ResponsiveImage } from '../components/image.tsx';
import { Layout, type Viewer } from '../components/layout.tsx';
import { Price } from '../components/product.tsx';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { notFoundError, sendErrorPage } from '../errors.tsx';
import { errorsFromAppError, FORM_LEVEL, validateForm } from '../forms.ts';
import { formatMoney, productPath } from '../format.ts';
import { cartOwner, resolveWebSession } from '../session.ts';

interface CartPageProps {
  cart: Cart;
  viewer: Viewer;
  /** Current catalog prices of lines whose price moved since they were added. */
  changedPrices: Map<string, number>;
  message?: { kind: 'success' | 'error'; text: string };
}

function LineControls(props: { line: CartLine; csrf: string; newPrice: number | undefined }): JSX.Element {
  const { line } = props;
  const id = `qty-${line.productId}`;
  return (
    <div class="controls">
      <form method="post" action={`/cart/items/${line.productId}/quantity`}>
        <CsrfField token={props.csrf} />
        <label for={id}>Quantity</label>
        <input id={id} name="quantity" type="number" min="0" max="99" value={String(line.quantity)} inputmode="numeric" data-autosubmit />
        <button class="secondary" type="submit" data-autosubmit-button>
          Update
        </button>
      </form>
      <form method="post" action={`/cart/items/${line.productId}/quantity`}>
        <CsrfField token={props.csrf} />
        <input type="hidden" name="quantity" value="0" />
        <button class="secondary" type="submit" aria-label={`Remove ${line.snapshot.title}`}>
          Remove
        </button>
      </form>
      {props.newPrice !== undefined ? (
        <form method="post" action={`/cart/items/${line.productId}/quantity`}>
          <CsrfField token={props.csrf} />
          <input type="hidden" name="quantity" value={String(line.quantity)} />
          <button class="secondary" type="submit">
            Accept new price
          </button>
        </form>
      ) : (
        ''
      )}
    </div>
  );
}

function CartLineItem(props: { line: CartLine; csrf: string; newPrice: number | undefined }): JSX.Element {
  const { line, newPrice } = props;
  const product = { id: line.productId, title: line.snapshot.title };
  return (
    <li class="cart-line">
      <ResponsiveImage src={line.snapshot.image} alt="" widths={[160]} sizes="72px" />
      <div>
        <a href={productPath(product)} safe>
          {line.snapshot.title}
        </a>
        <p>
          <Price amount={line.unitPrice.amount} currency={line.unitPrice.currency} /> each ·{' '}
          <span safe>{`${formatMoney(line.lineTotal.amount, line.lineTotal.currency)} for ${line.quantity}`}</span>
        </p>
        {newPrice !== undefined ? (
          <p class="notice warning" role="status" safe>
            {`The price changed from ${formatMoney(line.unitPrice.amount, line.unitPrice.currency)} to ${formatMoney(newPrice, line.unitPrice.currency)} since you added it. Checkout uses the new price.`}
          </p>
        ) : (
          ''
        )}
        <LineControls line={line} csrf={props.csrf} newPrice={newPrice} />
      </div>
    </li>
  );
}

function CartPage(props: CartPageProps & { departments: { name: string; path: string }[] }): JSX.Element {
  const { cart } = props;
  return (
    <Layout title="Your cart" departments={props.departments} viewer={props.viewer} noindex>
      <h1>Your cart</h1>
      {props.message ? (
        <Notice kind={props.message.kind}>
          <p safe>{props.message.text}</p>
        </Notice>
      ) : (
        ''
      )}
      {cart.items.length === 0 ? (
        <p>
          Your cart is empty. <a href="/">Continue shopping</a>
        </p>
      ) : (
        <div class="layout-2">
          <section class="panel" aria-label="Items">
            <ul class="cart-lines">
              {cart.items.map((line) => (
                <CartLineItem line={line} csrf={props.viewer.csrf} newPrice={props.changedPrices.get(line.productId)} />
              ))}
            </ul>
          </section>
          <aside class="panel" aria-label="Summary">
            <p class="summary">
              <span safe>{`Subtotal (${cart.itemCount} ${cart.itemCount === 1 ? "item" : "items"})`}</span>
              <span safe>{formatMoney(cart.subtotal.amount, cart.subtotal.currency)}</span>
            </p>
            <a class="button" href="/checkout">
              Proceed to checkout
            </a>
          </aside>
        </div>
      )}
    </Layout>
  );
}

/** Current prices of the lines whose price moved (read from the catalog database, like checkout). */
async function changedPrices(web: Web, cart: Cart): Promise<Map<string, number>> {
  if (cart.items.length === 0) return new Map();
  const products = await web.services.catalog.findProducts(cart.items.map((l) => l.productId));
  const changed = new Map<string, number>();
  for (const line of cart.items) {
    const current = products.get(line.productId)?.price.amount;
    if (current !== undefined && current !== line.unitPrice.amount) changed.set(line.productId, current);
  }
  return changed;
}

const EMPTY_CART: Cart = { customerId: '', currency: null, items: [], subtotal: { amount: 0, currency: null }, itemCount: 0, updatedAt: null };

async function renderCart(web: Web, request: FastifyRequest, reply: FastifyReply, message?: CartPageProps['message'], status = 200) {
  const owner = cartOwner(request, reply, false);
  const cart: Cart = owner ? await web.services.cart.getCart(owner) : EMPTY_CART;
  const [viewer, departments, changed] = await Promise.all([web.viewer(request, reply), web.departments(), changedPrices(web, cart)]);
  return web.sendPrivate(reply, <CartPage cart={cart} viewer={viewer} changedPrices={changed} departments={departments} {...(message ? { message } : {})} />, status);
}

export function registerCartPages(app: FastifyInstance, web: Web): void {
  const { cart } = web.services;
  const session = resolveWebSession(web.services.identity);
  const rateLimit = { max: web.ctx.config.rateLimitPerMinute, timeWindow: '1 minute' };

  app.get('/cart', { preHandler: session }, async (request, reply) => {
    const added = (request.query as { added?: string }).added;
    return renderCart(web, request, reply, added === '1' ? { kind: 'success', text: 'Added to your cart.' } : undefined);
  });

  // From the (shared-cached) product page: a signed-out visitor gets a guest cart.
  app.post('/cart/items', { preHandler: [verifyCsrf, session], config: { rateLimit } }, async (request, reply) => {
    const form = validateForm(AddCartItemBody, request.body, ['product_id', 'quantity']);
    if (!form.ok) return renderCart(web, request, reply, { kind: 'error', text: `Could not add to cart: ${Object.values(form.errors)[0]}` }, 400);
    try {
      await cart.addItem(cartOwner(request, reply, true)!, { productId: form.value.product_id, quantity: form.value.quantity });
    } catch (error) {
      return renderCart(web, request, reply, { kind: 'error', text: `Could not add to cart: ${errorsFromAppError(error)[FORM_LEVEL]}` }, 422);
    }
    return reply.redirect('/cart?added=1', 303);
  });

  app.post<{ Params: { id: string } }>('/cart/items/:id/quantity', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    if (!isUuid(request.params.id)) return sendErrorPage(web, request, reply, notFoundError());
    const owner = cartOwner(request, reply, false);
    const form = validateForm(SetQuantityBody, request.body, ['quantity']);
    if (!form.ok) return renderCart(web, request, reply, { kind: 'error', text: `Quantity: ${Object.values(form.errors)[0]}` }, 400);
    if (!owner) return reply.redirect('/cart', 303);
    try {
      await cart.setQuantity(owner, request.params.id, form.value.quantity);
    } catch (error) {
      return renderCart(web, request, reply, { kind: 'error', text: errorsFromAppError(error)[FORM_LEVEL]! }, 422);
    }
    return reply.redirect('/cart', 303);
  });
}
