import type { Cart } from '../../modules/cart/index.ts';
import type { Address } from '../../modules/identity/index.ts';
import { CsrfField, Field, FormAlert, Notice } from '../components/form.tsx';
import { Layout, type Department, type Viewer } from '../components/layout.tsx';
import type { FieldErrors } from '../forms.ts';
import { formatMoney } from '../format.ts';
import type { ChallengeWidget } from '../csp.ts';

export const SANDBOX_CARDS: [string, string][] = [
  ['tok_visa', 'Visa ending 4242 — approved'],
  ['tok_mastercard', 'Mastercard ending 4444 — approved'],
  ['tok_decline', 'Visa ending 0002 — declined by the bank'],
  ['tok_flaky', 'Visa ending 0341 — bank fails twice, then approves'],
  ['tok_slow', 'Visa ending 0119 — slow bank (a few seconds)'],
];


export interface PriceChange {
  total: { amount: number; currency: string };
  changes: { product_id: string; old_unit_price: number; new_unit_price: number }[];
}

export interface CheckoutView {
  departments: Department[];
  viewer: Viewer;
  cart: Cart;
  addresses: Address[];
  methods: { id: string; brand: string; last4: string }[];
  selectedAddress?: string;
  selectedMethod?: string;
  /** A fresh Idempotency-Key for this attempt: a double click or a resubmit reuses it. */
  attemptKey: string;
  /** The human check the cart needs: the sandbox's checkbox, or a provider widget. */
  challenge: { required: boolean; widget: ChallengeWidget | null; sandboxToken: string; message?: string };
  priceChange?: PriceChange;
  message?: string;
  addressErrors?: FieldErrors;
  addressValues?: Record<string, string>;
  cardErrors?: FieldErrors;
}

const FORM = 'place-order';

function AddressSection(props: CheckoutView): JSX.Element {
  const selected = props.selectedAddress ?? props.addresses.find((a) => a.isDefault)?.id;
  const v = props.addressValues ?? {};
  const e = props.addressErrors;
  return (
    <section class="panel" aria-labelledby="ship-to">
      <h2 id="ship-to">1. Shipping address</h2>
      {props.addresses.length > 0 ? (
        <fieldset>
          <legend>Ship to</legend>
          {props.addresses.map((a) => (
            <label class="choice">
              <input type="radio" name="shipping_address_id" value={a.id} form={FORM} checked={a.id === selected} required />
              <span safe>{`${a.name ? `${a.name}, ` : ''}${a.line1}${a.line2 ? `, ${a.line2}` : ''}, ${a.city}, ${a.region} ${a.postalCode}, ${a.country}`}</span>
            </label>
          ))}
        </fieldset>
      ) : (
        <p>Add the address we should ship to.</p>
      )}
      <details open={props.addresses.length === 0 || Boolean(e)}>
        <summary>Add a new address</summary>
        <FormAlert errors={e} />
        <form id="address" method="post" action="/checkout/addresses" novalidate>
          <CsrfField token={props.viewer.csrf} />
          <Field name="name" label="Full name (optional)" autocomplete="name" value={v.name} errors={e} form="address" />
          <Field name="line1" label="Street address" autocomplete="address-line1" value={v.line1} errors={e} required form="address" />
          <Field name="line2" label="Apartment, suite (optional)" autocomplete="address-line2" value={v.line2} errors={e} form="address" />
          <div class="row">
            <Field name="city" label="City" autocomplete="address-level2" value={v.city} errors={e} required form="address" />
            <Field name="region" label="State" autocomplete="address-level1" value={v.region} errors={e} required form="address" />
          </div>
          <div class="row">
            <Field name="postal_code" label="ZIP code" autocomplete="postal-code" inputmode="numeric" value={v.postal_code} errors={e} required form="address" />
            <Field name="country" label="Country code" autocomplete="country" value={v.country ?? 'US'} errors={e} required hint="Two letters, e.g. US" form="address" />
          </div>
          <button class="secondary" type="submit">
            Save address
          </button>
        </form>
      </details>
    </section>
  );
}

function PaymentSection(props: CheckoutView): JSX.Element {
  const selected = props.selectedMethod ?? props.methods[0]?.id;
  return (
    <section class="panel" aria-labelledby="pay-with">
      <h2 id="pay-with">2. Payment</h2>
      {props.methods.length > 0 ? (
        <fieldset>
          <legend>Pay with</legend>
          {props.methods.map((m) => (
            <label class="choice">
              <input type="radio" name="payment_method_id" value={m.id} form={FORM} checked={m.id === selected} required />
              <span safe>{`${m.brand.toUpperCase()} ending ${m.last4}`}</span>
            </label>
          ))}
        </fieldset>
      ) : (
        ''
      )}
      <details open={props.methods.length === 0 || Boolean(props.cardErrors)}>
        <summary>Add a new card</summary>
        <FormAlert errors={props.cardErrors} />
        <form method="post" action="/checkout/payment-methods">
          <CsrfField token={props.viewer.csrf} />
          <div class="field">
            <label for="card-token">Sandbox test card</label>
            <span class="hint" id="card-token-hint">
              This shop uses the payment sandbox: no real card is charged.
            </span>
            <select id="card-token" name="token" aria-describedby="card-token-hint">
              {SANDBOX_CARDS.map(([token, label]) => (
                <option value={token} safe>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <button class="secondary" type="submit">
            Save card
          </button>
        </form>
      </details>
    </section>
  );
}

function HumanCheck(props: CheckoutView['challenge']): JSX.Element {
  if (!props.required) return '';
  return (
    <div class="human-check">
      <p>
        <strong>One more step:</strong> an item in your cart is in a limited sale, so we check that you are a person.
      </p>
      {props.message ? (
        <p class="error" role="alert" safe>
          {props.message}
        </p>
      ) : (
        ''
      )}
      {props.widget ? (
        <div class={props.widget.className} data-sitekey={props.widget.siteKey}></div>
      ) : (
        <label class="choice">
          <input type="checkbox" name="challenge_token" value={props.sandboxToken} form={FORM} required />
          <span>I am a person, not a bot (sandbox check)</span>
        </label>
      )}
    </div>
  );
}

function Review(props: CheckoutView): JSX.Element {
  const { cart, priceChange } = props;
  const total = priceChange?.total ?? { amount: cart.subtotal.amount, currency: cart.subtotal.currency ?? 'USD' };
  return (
    <section class="panel" aria-labelledby="review">
      <h2 id="review">3. Review and place your order</h2>
      <ul>
        {cart.items.map((line) => (
          <li safe>{`${line.quantity} × ${line.snapshot.title} — ${formatMoney(line.lineTotal.amount, line.lineTotal.currency)}`}</li>
        ))}
      </ul>
      {priceChange ? (
        <Notice kind="warning">
          <p>
            <strong>Prices changed since you added these items.</strong>
          </p>
          <ul>
            {priceChange.changes.map((c) => {
              const title = cart.items.find((l) => l.productId === c.product_id)?.snapshot.title ?? 'An item';
              return <li safe>{`${title}: ${formatMoney(c.old_unit_price, total.currency)} → ${formatMoney(c.new_unit_price, total.currency)}`}</li>;
            })}
          </ul>
          <p safe>{`The new total is ${formatMoney(total.amount, total.currency)}. Place the order to accept it.`}</p>
        </Notice>
      ) : (
        ''
      )}
      <p class="summary">
        <span>Order total</span>
        <span safe>{formatMoney(total.amount, total.currency)}</span>
      </p>
      <form id={FORM} method="post" action="/checkout" data-once>
        <CsrfField token={props.viewer.csrf} />
        <input type="hidden" name="idempotency_key" value={props.attemptKey} />
        {priceChange ? (
          <>
            <input type="hidden" name="expected_total_amount" value={String(priceChange.total.amount)} />
            <input type="hidden" name="expected_total_currency" value={priceChange.total.currency} />
          </>
        ) : (
          ''
        )}
        <HumanCheck {...props.challenge} />
        <p>
          <button class="primary" type="submit">
            {priceChange ? `Place order for ${formatMoney(total.amount, total.currency)}` : 'Place order'}
          </button>
        </p>
      </form>
    </section>
  );
}

export function CheckoutPage(props: CheckoutView): JSX.Element {
  return (
    <Layout title="Checkout" departments={props.departments} viewer={props.viewer} externalScripts={props.challenge.required && props.challenge.widget ? [props.challenge.widget.script] : []} noindex>
      <h1>Checkout</h1>
      {props.message ? (
        <Notice kind="error">
          <p safe>{props.message}</p>
        </Notice>
      ) : (
        ''
      )}
      <div class="layout-2">
        <div>
          <AddressSection {...props} />
          <PaymentSection {...props} />
        </div>
        <Review {...props} />
      </div>
    </Layout>
  );
}
