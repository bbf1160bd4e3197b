import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../scripts/error-codes-table.ts';
import { CONNECTION_ERROR_CODES } from '../src/http/error-handler.ts';
import { signCarrierWebhook } from '../src/modules/fulfillment/index.ts';
import { DEMO_CARRIER_WEBHOOK_SECRETS } from '../src/platform/config.ts';
import { createTestApp, uniqueEmail, type TestApp } from './helpers/app.ts';
import { BACKENDS } from './helpers/databases.ts';
import { leakIn, SchemaArbitraries, type FuzzRequest, type IdPool, type OpenApiDocument, type OpenApiOperation } from './helpers/fuzz.ts';
import { placeOrder } from './helpers/lifecycle.ts';
import { createCatalogFixture } from './helpers/catalog.ts';
import { createBuyer, stockedProducts } from './helpers/shop.ts';

/**
 * Schema-driven fuzzing of the whole API: every operation of the generated OpenAPI document
 * (so endpoints added later are covered without touching this file), as anonymous, customer,
 * seller and admin. A request may be refused, never fail: no 5xx, every error in the one
 * format with a code the document lists for that status, and no internals in any error.
 *
 * FUZZ_RUNS sets the requests per operation and role (default 6, for npm test; CI runs
 * thousands); FUZZ_SEED replays a failing run.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const ROLES = ['anonymous', 'customer', 'seller', 'admin'] as const;
type Role = (typeof ROLES)[number];

// The operations, read from the OpenAPI document of a fully wired app (so each gets a test of its own).
const OPERATIONS = Object.entries((await openApiDocument()).paths as unknown as OpenApiDocument['paths']).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ path, method, label: `${op.operationId} (${method.toUpperCase()} ${path})` })),
);

/** Operation-specific help to get past a gate a random request never passes (a signature); optional for new endpoints. */
const DEEPER: Record<string, (request: FuzzRequest) => FuzzRequest> = {
  receiveCarrierWebhook(request) {
    const carrier = decodeURIComponent(request.url.split('/').pop()!.split('?')[0]!);
    const secret = Object.hasOwn(DEMO_CARRIER_WEBHOOK_SECRETS, carrier) ? DEMO_CARRIER_WEBHOOK_SECRETS[carrier]! : 'unknown-carrier-secret';
    const timestamp = String(Math.floor(Date.now() / 1000));
    const raw = request.payload ?? '';
    return { ...request, headers: { ...request.headers, 'x-carrier-timestamp': timestamp, 'x-carrier-signature': signCarrierWebhook(secret, timestamp, raw) } };
  },
};

describe.each(BACKENDS)('every operation of the API under schema-driven fuzzing (%s)', (backend) => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let arbitraries: SchemaArbitraries;
  const credentials: Partial<Record<Role, { email: string; password: string }>> = {};
  const tokens: Partial<Record<Role, string>> = {};

  const signIn = async (role: Role) => {
    const who = credentials[role];
    if (who) tokens[role] = (await t.ctx.services.identity.login(who)).token;
  };

  it('covers every operation of the document', () => {
    expect(OPERATIONS.length).toBeGreaterThan(30);
  });

  beforeAll(async () => {
    t = await createTestApp(backend, { PAYMENT_TIMEOUT_MS: '200', SANDBOX_SLOW_MS: '50', SIMULATOR_STEP_SECONDS: '0' });
    const { identity, inventory } = t.ctx.services;
    const password = 'fuzzing password 1';
    credentials.admin = { email: uniqueEmail('fuzz-admin'), password };
    await identity.createAdmin({ ...credentials.admin, name: 'Fuzz admin' });
    // The seller manages products of its own; the customer has an address, a card and an order.
    credentials.seller = { email: uniqueEmail('fuzz-seller'), password };
    const seller = await identity.register({ ...credentials.seller, name: 'Fuzz seller' });
    const own = await createCatalogFixture(t.ctx, { products: 2, sellerAccountId: seller.account.id });
    const stocked = await stockedProducts(t.ctx, { products: 2, stock: 1000 });
    for (const id of own.productIds) await inventory.setTotalStock(id, stocked.warehouseIds[0]!, 1000);
    const buyer = await createBuyer(t.app);
    credentials.customer = { email: (await identity.getAccount(buyer.accountId)).email, password: 'correct horse battery' };
    const orderId = await placeOrder(t.app, buyer, [stocked.productIds[0]!]);
    for (const role of ROLES) await signIn(role);
    const pool: IdPool = {
      uuids: [...own.productIds, ...stocked.productIds, ...stocked.warehouseIds, own.sellerId, stocked.sellerId, orderId, buyer.addressId, buyer.paymentMethodId, buyer.accountId, seller.account.id],
      integers: [own.categoryId, stocked.categoryId],
      strings: [credentials.customer.email, credentials.seller.email, 'tok_visa', 'pass_token', 'parcelway-ground', 'swiftship-express', 'running shoes', 'price_asc', 'newest'],
    };
    doc = t.app.swagger() as unknown as OpenApiDocument;
    arbitraries = new SchemaArbitraries(doc, pool);
  });
  afterAll(async () => t?.close());

  const documentedCodes = (op: OpenApiOperation, status: number): string[] | undefined =>
    op.responses[String(status)]?.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum;

  function problemsOf(op: OpenApiOperation, response: LightMyRequestResponse): string | undefined {
    const status = response.statusCode;
    if (status >= 500) return `answered ${status}`;
    if (status < 400) return undefined;
    let body: { error?: { code?: unknown; message?: unknown; request_id?: unknown } };
    try {
      body = response.json();
    } catch {
      return 'an error body that is not JSON';
    }
    const code = body.error?.code;
    if (typeof code !== 'string' || typeof body.error?.message !== 'string' || typeof body.error?.request_id !== 'string') return 'an error body without error.code, message and request_id';
    const leak = code === 'route_not_found' ? undefined : leakIn(response.body);
    if (leak) return `an error body that shows ${leak}`;
    // Answered before a route is matched (a path that normalizes elsewhere, a bad escape): valid for any request.
    if (CONNECTION_ERROR_CODES.some((c) => c.code === code && c.status === status)) return undefined;
    const documented = documentedCodes(op, status);
    if (!documented) return `status ${status}, which the document does not list for ${op.operationId}`;
    if (!documented.includes(code)) return `code ${code} (${status}), which the document does not list for ${op.operationId}: ${documented.join(', ')}`;
    return undefined;
  }

  it.each(OPERATIONS)(`$label: no 5xx, errors in the one format with documented codes, no internals (${RUNS} requests per role)`, { timeout: Math.max(60_000, RUNS * ROLES.length * 250) }, async ({ path, method }) => {
    const op = doc.paths[path]![method]!;
    const failures: string[] = [];
    let sent = 0;
    for (const role of ROLES) {
      const deeper = DEEPER[op.operationId] ?? ((r: FuzzRequest) => r);
      // Every role runs even after one fails, so a run reports all that is broken.
      await fc
        .assert(
          fc.asyncProperty(arbitraries.request(method, path, op), async (generated) => {
            const request = deeper(generated);
            const headers = { ...request.headers, ...(role !== 'anonymous' && tokens[role] ? { authorization: `Bearer ${tokens[role]}` } : {}) };
            const response = await t.app.inject({ method: request.method as 'GET', url: request.url, headers, ...(request.payload !== undefined ? { payload: request.payload } : {}) });
            sent++;
            // A fuzzed sign-out (or role change) ends the session: sign in again, as a client would.
            if (role !== 'anonymous' && response.statusCode === 401 && response.body.includes('"unauthenticated"')) await signIn(role).catch(() => undefined);
            const problem = problemsOf(op, response);
            if (problem) throw new Error(`${role} ${request.method} ${request.url.slice(0, 300)}: ${problem}\n${response.body.slice(0, 500)}`);
          }),
          { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true },
        )
        .catch((error: Error) => failures.push(`as ${role}: ${error.message.split('\n').slice(0, 8).join('\n')}`));
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(ROLES.length * RUNS);
  });
});
