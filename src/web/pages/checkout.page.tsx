import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NewAddressBody } from '../../http/routes/addresses.routes.ts';
import { CheckoutBody, IDEMPOTENCY_KEY } from '../../http/routes/checkout.routes.ts';
import { NewPaymentMethodBody } from '../../http/routes/payment-methods.routes.ts';
import type { Principal } from '../../modules/identity/index.ts';
import { AppError } from '../../platform/errors.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, FORM_LEVEL, formValues, validateForm, validateObject, type FieldErrors } from '../forms.ts';
import { STATUS_BY_KIND } from '../../http/error-handler.ts';
import { resolveWebSession } from '../session.ts';
import { challengeWidgetFor } from '../csp.ts';
import { CheckoutPage, type CheckoutView, type PriceChange } from './checkout.view.tsx';

const ADDRESS_FIELDS = ['name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country'] as const;
/** Token fields of the widgets the place-order form may carry: the sandbox's and real providers'. */
const CHALLENGE_FIELDS = ['challenge_token', 'cf-turnstile-response', 'h-captcha-response', 'g-recaptcha-response'] as const;

type Extra = Partial<Pick<CheckoutView, 'selectedAddress' | 'selectedMethod' | 'priceChange' | 'message' | 'addressErrors' | 'addressValues' | 'cardErrors'>> & { challengeMessage?: string };

/** A refusal or failure of the buy path, thrown or stored as the checkout's answer. */
interface Refusal {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

async function renderCheckout(web: Web, request: FastifyRequest, reply: FastifyReply, principal: Principal, extra: Extra = {}, status = 200) {
  const { cart, identity, payments, catalog } = web.services;
  const [viewer, departments, currentCart, addresses, methods] = await Promise.all([
    web.viewer(request, reply),
    web.departments(),
    cart.getCart(principal),
    identity.listAddresses(principal),
    payments.listAllMethods(principal),
  ]);
  if (currentCart.items.length === 0) return reply.redirect('/cart', 303);
  const products = await catalog.findProducts(currentCart.items.map((l) => l.productId));
  const challengeRequired = [...products.values()].some((p) => p.checkoutChallenge);
  const view: CheckoutView = {
    departments,
    viewer,
    cart: currentCart,
    addresses,
    methods,
    attemptKey: newId(),
    challenge: { required: challengeRequired, widget: challengeWidgetFor(web.ctx.config), sandboxToken: `pass_${newId()}`, ...(extra.challengeMessage ? { message: extra.challengeMessage } : {}) },
    ...extra,
  };
  return web.sendPrivate(reply, <CheckoutPage {...view} />, status);
}

function placeOrderBody(body: Record<string, unknown>) {
  const text = (name: string) => (typeof body[name] === 'string' && (body[name] as string).trim() !== '' ? (body[name] as string) : undefined);
  const challenge = CHALLENGE_FIELDS.map(text).find(Boolean);
  const amount = text('expected_total_amount');
  const currency = text('expected_total_currency');
  return {
    ...(text('shipping_address_id') ? { shipping_address_id: text('shipping_address_id') } : {}),
    ...(text('payment_method_id') ? { payment_method_id: text('payment_method_id') } : {}),
    ...(text('idempotency_key') ? { idempotency_key: text('idempotency_key') } : {}),
    ...(challenge ? { challenge_token: challenge } : {}),
    ...(amount && currency ? { expected_total: { amount, currency } } : {}),
  };
}

const FIELD_NAMES: Record<string, string> = { shipping_address_id: 'Choose a shipping address', payment_method_id: 'Choose a payment method' };

/** What the customer sees for each way a checkout can end other than placed. */
function outcome(refusal: Refusal): Extra {
  switch (refusal.code) {
    case 'price_changed':
      return { priceChange: refusal.details as unknown as PriceChange };
    case 'challenge_required':
    case 'challenge_failed':
      return { challengeMessage: refusal.code === 'challenge_failed' ? 'The check did not pass; please try it again.' : 'Please complete the check below.' };
    case 'payment_declined':
      return { message: 'Your bank declined the payment. Nothing was charged; choose another card and try again.' };
    case 'out_of_stock':
      return { message: 'Some items sold out while you were checking out. Nothing was charged; adjust your cart and try again.' };
    case 'payment_unavailable':
    case 'checkout_interrupted':
      return { message: 'We could not reach the bank just now. Nothing was charged; please try again in a moment.' };
    default:
      return { message: refusal.message };
  }
}

export function registerCheckoutPages(app: FastifyInstance, web: Web): void {
  const { identity, payments, checkout } = web.services;
  const session = resolveWebSession(identity);
  const rateLimit = { max: web.ctx.config.rateLimitPerMinute, timeWindow: '1 minute' };
  // A double click sends two requests with the same key: the second waits for the first's answer.
  const inFlight = new Map<string, Promise<Awaited<ReturnType<typeof checkout.checkout>>>>();
  const idOf = (value: unknown) => (typeof value === 'string' && isUuid(value) ? value : undefined);

  app.get('/checkout', { preHandler: session }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const q = request.query as { address?: string; method?: string };
    return renderCheckout(web, request, reply, principal, { ...(idOf(q.address) ? { selectedAddress: q.address } : {}), ...(idOf(q.method) ? { selectedMethod: q.method } : {}) });
  });

  app.post('/checkout/addresses', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const form = validateForm(NewAddressBody, request.body, ADDRESS_FIELDS);
    if (!form.ok) return renderCheckout(web, request, reply, principal, { addressErrors: form.errors, addressValues: form.values }, 400);
    const b = form.value;
    try {
      const address = await identity.addAddress(principal, {
        ...(b.name !== undefined ? { name: b.name } : {}),
        line1: b.line1,
        ...(b.line2 !== undefined ? { line2: b.line2 } : {}),
        city: b.city,
        region: b.region,
        postalCode: b.postal_code,
        country: b.country,
      });
      return reply.redirect(`/checkout?address=${address.id}`, 303);
    } catch (error) {
      const addressErrors = errorsFromAppError(error, { unknown_postal_code: 'postal_code', unsupported_country: 'country' });
      return renderCheckout(web, request, reply, principal, { addressErrors, addressValues: formValues(request.body, ADDRESS_FIELDS) }, 422);
    }
  });

  app.post('/checkout/payment-methods', { preHandler: [verifyCsrf, session] }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const form = validateForm(NewPaymentMethodBody, request.body, ['token']);
    if (!form.ok) return renderCheckout(web, request, reply, principal, { cardErrors: form.errors }, 400);
    try {
      const method = await payments.addMethod(principal, form.value.token);
      return reply.redirect(`/checkout?method=${method.id}`, 303);
    } catch (error) {
      return renderCheckout(web, request, reply, principal, { cardErrors: errorsFromAppError(error, { invalid_payment_method: 'token' }) }, 422);
    }
  });

  app.post('/checkout', { preHandler: [verifyCsrf, session], config: { rateLimit } }, async (request, reply) => {
    const principal = web.requireSignedIn(request, reply);
    if (!principal) return reply;
    const body = placeOrderBody((request.body ?? {}) as Record<string, unknown>);
    const selection = { selectedAddress: body.shipping_address_id, selectedMethod: body.payment_method_id };
    const checked = validateObject(CheckoutBody, body);
    const key = body.idempotency_key;
    if (!checked.ok || !key || !IDEMPOTENCY_KEY.test(key)) {
      const missing = Object.keys(checked.ok ? {} : checked.errors).map((f) => FIELD_NAMES[f]).filter(Boolean);
      return renderCheckout(web, request, reply, principal, { ...selection, message: missing.join('. ') || 'Please review your order and try again.' }, 400);
    }
    const v = checked.value;
    const flightKey = `${principal.accountId}:${key}`;
    let answer = inFlight.get(flightKey);
    if (!answer) {
      answer = checkout
        .checkout(principal, key, {
          shippingAddressId: v.shipping_address_id,
          paymentMethodId: v.payment_method_id,
          ...(v.expected_total ? { expectedTotal: v.expected_total } : {}),
          ...(v.challenge_token ? { challengeToken: v.challenge_token } : {}),
          clientIp: request.ip,
        })
        .finally(() => inFlight.delete(flightKey));
      inFlight.set(flightKey, answer);
    }
    let refusal: Refusal;
    try {
      const placed = await answer;
      return reply.redirect(`/orders/${placed.order_id}?placed=1`, 303);
    } catch (error) {
      if (!(error instanceof AppError) || error.kind === 'internal') throw error;
      const errors: FieldErrors = errorsFromAppError(error);
      refusal = { code: error.code, message: errors[FORM_LEVEL] ?? error.message, ...(error.details ? { details: error.details } : {}) };
      return renderCheckout(web, request, reply, principal, { ...selection, ...outcome(refusal) }, STATUS_BY_KIND[error.kind]);
    }
  });
}
