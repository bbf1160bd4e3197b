import { randomUUID } from 'node:crypto';
import { Agent, fetch } from 'undici';

/** Keeps thousands of concurrent requests on a bounded set of sockets (queued client-side, not reset by the server's backlog). */
export const dispatcher = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 10_000 });

export interface Answer {
  status: number;
  body: any;
  ms: number;
}

export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    dispatcher,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
}

export async function expectOk(answer: Promise<Answer>, what: string): Promise<any> {
  const a = await answer;
  if (a.status >= 300) throw new Error(`${what} answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body;
}

/** Runs tasks with at most `limit` in flight, reporting progress every 10 %. */
export async function inPool<T>(limit: number, tasks: (() => Promise<T>)[], log?: (m: string) => void, label = 'tasks'): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(tasks.length / 10));
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
        if (++done % step === 0 && log) log(`  ${label}: ${done}/${tasks.length}`);
      }
    }),
  );
  return results;
}

export interface Shopper {
  auth: Record<string, string>;
  addressId: string;
  paymentMethodId: string;
}

/** A customer with a New York address and a card that always succeeds, created through the API. */
export async function createShopper(baseUrl: string): Promise<Shopper> {
  const email = `bench-${randomUUID()}@example.com`;
  const { token } = await expectOk(call(baseUrl, 'POST', '/v1/auth/register', { email, password: 'bench password 1', name: 'Bench Shopper' }), 'register');
  const auth = { authorization: `Bearer ${token}` };
  const address = await expectOk(
    call(baseUrl, 'POST', '/v1/addresses', { line1: '1 Main Street', city: 'New York', region: 'NY', postal_code: '10001', country: 'US' }, auth),
    'add address',
  );
  const method = await expectOk(call(baseUrl, 'POST', '/v1/payment-methods', { token: 'tok_visa' }, auth), 'add payment method');
  return { auth, addressId: address.id, paymentMethodId: method.id };
}

export function checkout(baseUrl: string, shopper: Shopper): Promise<Answer> {
  return call(baseUrl, 'POST', '/v1/checkout', { shipping_address_id: shopper.addressId, payment_method_id: shopper.paymentMethodId }, {
    ...shopper.auth,
    'idempotency-key': randomUUID(),
  });
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
