/**
 * The fault matrix's clients: a checkout load (each buyer adds an item and checks out with an
 * Idempotency-Key, retrying with the same key through HAProxy until the answer is final) and
 * a browse load (product lists, product pages, searches), both counting what they were told.
 */
import { randomUUID } from 'node:crypto';

export interface Answer {
  status: number;
  body: any;
  retryAfter?: string;
}

export class Client {
  constructor(private readonly base: string) {}

  async call(method: string, path: string, options: { token?: string; body?: unknown; key?: string; timeoutMs?: number } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.key) headers['idempotency-key'] = options.key;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page)
    }
    return { status: response.status, body, ...(response.headers.get('retry-after') ? { retryAfter: response.headers.get('retry-after')! } : {}) };
  }
}

export interface Buyer {
  email: string;
  password: string;
  token: string;
  addressId: string;
  paymentMethodId: string;
  card: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries setup calls through outages (setup is not what is measured). */
async function must(what: string, call: () => Promise<Answer>, ok: number[]): Promise<Answer> {
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      const answer = await call();
      if (ok.includes(answer.status)) return answer;
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(`${what} failed: ${String(last)}`);
}

export async function createBuyer(client: Client, card: string): Promise<Buyer> {
  const email = `buyer-${randomUUID()}@example.com`;
  const password = 'correct horse battery';
  const registered = await must('register', () => client.call('POST', '/v1/auth/register', { body: { email, password, name: 'Load Buyer' } }), [201]);
  const token = registered.body.token as string;
  const address = await must(
    'address',
    () => client.call('POST', '/v1/addresses', { token, body: { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postal_code: '10118', country: 'US' } }),
    [201],
  );
  const method = await must('payment method', () => client.call('POST', '/v1/payment-methods', { token, body: { token: card } }), [201]);
  return { email, password, token, addressId: address.body.id, paymentMethodId: method.body.id, card };
}

export interface CheckoutTally {
  attempts: number;
  /** Order ids the API acknowledged (201), by idempotency key. */
  acknowledged: Map<string, string>;
  /** Final refusals by code (out_of_stock, payment_unavailable…). */
  refused: Record<string, number>;
  /** Keys given up on after the retry deadline without a final answer. */
  abandoned: number;
  /** Retries with the same key, and the transient answers that caused them (status:code). */
  retries: number;
  transient: Record<string, number>;
  /** 500s seen: always a bug. */
  internalErrors: number;
  /** 503s without Retry-After. */
  withoutRetryAfter: number;
}

export interface BrowseTally {
  requests: number;
  ok: number;
  failed: Record<string, number>;
}

/** Transient answers: retry with the same key. A stored final answer (payment_unavailable, out_of_stock…) is not retried. */
function isTransient(answer: Answer): boolean {
  if (answer.status === 502 || answer.status === 504) return true;
  if (answer.status !== 503) return false;
  const code = answer.body?.error?.code;
  return code === 'database_unavailable' || code === 'service_unavailable' || code === 'shutting_down' || code === 'checkout_interrupted' || code === undefined;
}

const codeOf = (answer: Answer) => `${answer.status}:${answer.body?.error?.code ?? 'no-code'}`;

export interface Load {
  checkout: CheckoutTally;
  browse: BrowseTally;
  stop(): Promise<void>;
}

export function startLoad(client: Client, options: { tag: string; buyers: Buyer[]; productIds: string[]; words: string[]; browsers: number; retryDeadlineMs: number }): Load {
  let stopped = false;
  const checkout: CheckoutTally = { attempts: 0, acknowledged: new Map(), refused: {}, abandoned: 0, retries: 0, transient: {}, internalErrors: 0, withoutRetryAfter: 0 };
  const browse: BrowseTally = { requests: 0, ok: 0, failed: {} };
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!;
  const note = (answer: Answer) => {
    if (answer.status === 500) checkout.internalErrors++;
    if (answer.status === 503 && !answer.retryAfter) checkout.withoutRetryAfter++;
  };

  const buyLoop = async (buyer: Buyer) => {
    while (!stopped) {
      // The cart line: retried until it lands (the cart is not what is measured).
      try {
        const added = await client.call('POST', '/v1/cart/items', { token: buyer.token, body: { product_id: pick(options.productIds), quantity: 1 } });
        note(added);
        if (added.status !== 201 && added.status !== 200) {
          await sleep(200);
          continue;
        }
      } catch {
        await sleep(200);
        continue;
      }
      const key = `${options.tag}:${randomUUID()}`;
      const body = { shipping_address_id: buyer.addressId, payment_method_id: buyer.paymentMethodId };
      const deadline = Date.now() + options.retryDeadlineMs;
      checkout.attempts++;
      let final: Answer | undefined;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        if (attempt > 0) checkout.retries++;
        try {
          const answer = await client.call('POST', '/v1/checkout', { token: buyer.token, body, key, timeoutMs: 30_000 });
          note(answer);
          if (!isTransient(answer)) {
            final = answer;
            break;
          }
          checkout.transient[codeOf(answer)] = (checkout.transient[codeOf(answer)] ?? 0) + 1;
          await sleep(Math.min(Number(answer.retryAfter ?? 0.3) * 1000, 2000) * (0.5 + Math.random()));
        } catch (error) {
          const name = `network:${(error as Error).name}`;
          checkout.transient[name] = (checkout.transient[name] ?? 0) + 1;
          await sleep(300);
        }
      }
      if (!final) checkout.abandoned++;
      else if (final.status === 201) checkout.acknowledged.set(key, final.body.order_id);
      else {
        checkout.refused[codeOf(final)] = (checkout.refused[codeOf(final)] ?? 0) + 1;
        // Out of stock or declined: the line stays in the cart; start afresh.
        await client.call('DELETE', '/v1/cart', { token: buyer.token }).catch(() => undefined);
      }
    }
  };

  const browseLoop = async () => {
    while (!stopped) {
      const roll = Math.random();
      const path = roll < 0.4 ? `/v1/products/${pick(options.productIds)}` : roll < 0.7 ? `/v1/search?q=${encodeURIComponent(pick(options.words))}` : '/v1/products?limit=12';
      browse.requests++;
      try {
        const answer = await client.call('GET', path, { timeoutMs: 10_000 });
        if (answer.status < 400) browse.ok++;
        else browse.failed[codeOf(answer)] = (browse.failed[codeOf(answer)] ?? 0) + 1;
      } catch (error) {
        const name = `network:${(error as Error).name}`;
        browse.failed[name] = (browse.failed[name] ?? 0) + 1;
      }
      await sleep(20);
    }
  };

  const loops = [...options.buyers.map(buyLoop), ...Array.from({ length: options.browsers }, browseLoop)];
  return {
    checkout,
    browse,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
