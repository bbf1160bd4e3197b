// Progressive enhancement for every storefront page. Everything works without it.
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

// Shared-cached pages carry nothing personal: the signed-in name, the cart count and the
// delivery promise come from one small private call after load (which also counts a product view).
async function fillPersonalParts() {
  if (document.body.dataset.personal !== 'fill') return;
  const product = $('[data-product-id]')?.dataset.productId;
  const url = '/web/api/me' + (product ? '?product=' + encodeURIComponent(product) : '');
  let me;
  try {
    const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (!response.ok) return;
    me = await response.json();
  } catch {
    return;
  }
  for (const el of $$('[data-personal=cart-count]')) {
    el.textContent = String(me.cart_count);
    el.hidden = false;
  }
  if (me.signed_in) {
    for (const el of $$('[data-personal=account]')) {
      el.textContent = 'Hi, ' + me.name;
      el.setAttribute('href', '/account');
    }
  }
  const delivery = $('[data-personal=delivery]');
  if (delivery && me.delivery) {
    delivery.textContent = 'Arrives by ' + me.delivery.date_label + ' to ' + me.delivery.to_postal_code + ' (ships from ' + me.delivery.ships_from + ' with ' + me.delivery.carrier + ')';
  }
}

// Autocomplete: suggestions from the search API into the input's datalist.
function autocomplete() {
  const input = $('input[data-suggest]');
  const list = input && document.getElementById(input.getAttribute('list'));
  if (!input || !list) return;
  let timer;
  let last = '';
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q.length < 2 || q === last) return;
    timer = setTimeout(async () => {
      last = q;
      try {
        const response = await fetch('/v1/search/suggest?limit=6&q=' + encodeURIComponent(q));
        if (!response.ok) return;
        const body = await response.json();
        list.replaceChildren(
          ...[...body.products.map((p) => p.title), ...body.brands.map((b) => b.name), ...body.categories.map((c) => c.name)].map((text) => {
            const option = document.createElement('option');
            option.value = text;
            return option;
          }),
        );
      } catch {
        /* suggestions are a nicety */
      }
    }, 150);
  });
}

// Selects that apply themselves (sort order, quantities): their submit button is then redundant.
function autosubmit() {
  for (const control of $$('[data-autosubmit]')) {
    const form = control.form;
    if (!form) continue;
    for (const button of $$('[data-autosubmit-button]', form)) button.hidden = true;
    control.addEventListener('change', () => form.requestSubmit());
  }
}

// A form marked data-once cannot be sent twice by a double click (the server is idempotent anyway).
function submitOnce() {
  for (const form of $$('form[data-once]')) {
    form.addEventListener('submit', (event) => {
      if (form.dataset.sent === '1') {
        event.preventDefault();
        return;
      }
      form.dataset.sent = '1';
      for (const button of $$('button[type=submit]', form)) button.setAttribute('aria-disabled', 'true');
    });
  }
}

// Gallery: a thumbnail shows itself in the main image instead of opening the file.
function gallery() {
  const main = $('.gallery .main');
  if (!main) return;
  for (const link of $$('.gallery [data-full]')) {
    link.addEventListener('click', (event) => {
      event.preventDefault();
      main.setAttribute('src', link.dataset.full);
      if (link.dataset.srcset) main.setAttribute('srcset', link.dataset.srcset);
    });
  }
}

// On a narrow screen the filter sidebar starts folded, so results come first.
function foldFiltersOnPhones() {
  if (!window.matchMedia('(max-width: 859px)').matches) return;
  for (const details of $$('details[data-collapse-narrow]')) details.open = false;
}

fillPersonalParts();
foldFiltersOnPhones();
autocomplete();
autosubmit();
submitOnce();
gallery();
