import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { renderErrorsDoc, ERRORS_DOC } from '../scripts/error-codes-table.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

type Operation = {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, { example?: unknown; examples?: unknown; schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } } }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

const operationsOf = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([url, methods]) => Object.entries(methods).map(([method, op]) => ({ label: `${method.toUpperCase()} ${url}`, op })));
const errorCodes = (op: Operation, status: string) => op.responses[status]?.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum;

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Document;
  beforeAll(async () => {
    t = await createTestApp('pglite');
    doc = t.app.swagger() as unknown as Document;
  });
  afterAll(async () => t?.close());

  it('names every operation, uniquely', () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(30);
    const ids = ops.map(({ label, op }) => op.operationId ?? `missing for ${label}`);
    expect(ids.filter((id) => id.startsWith('missing'))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['register', 'login', 'getProduct', 'searchProducts', 'addCartItem', 'checkout', 'listOrders', 'getOrder', 'cancelOrder']));
  });

  it('lists the codes of every error response, not-found codes as <entity>_not_found', () => {
    for (const { label, op } of operationsOf(doc)) {
      const statuses = Object.keys(op.responses).filter((s) => Number(s) >= 400);
      expect(statuses, label).toContain('400');
      for (const status of statuses) {
        const codes = errorCodes(op, status);
        expect(codes?.length, `${label} ${status}`).toBeGreaterThan(0);
        if (status === '404') expect(codes!.filter((c) => !c.endsWith('_not_found')), label).toEqual([]);
      }
    }
  });

  it('marks the Idempotency-Key header of checkout as required', () => {
    const checkout = doc.paths['/v1/checkout']!.post!;
    expect(checkout.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key')).toMatchObject({ required: true });
  });

  it('shows an example for the main requests', () => {
    for (const [url, method] of [['/v1/auth/register', 'post'], ['/v1/auth/login', 'post'], ['/v1/addresses', 'post'], ['/v1/payment-methods', 'post'], ['/v1/cart/items', 'post'], ['/v1/checkout', 'post'], ['/v1/admin/products', 'post'], ['/v1/admin/inventory/{product_id}/warehouses/{warehouse_id}', 'put']] as const) {
      const media = doc.paths[url]![method]!.requestBody!.content['application/json']!;
      expect(media.example ?? media.examples, `${method} ${url}`).toBeDefined();
    }
  });

  it('names and documents routes registered later automatically', async () => {
    const app = await buildApp(t.ctx);
    app.get('/v1/later/:thing', { schema: { querystring: { type: 'object', properties: { q: { type: 'string', 'x-error-code': 'invalid_q' } } } } }, async () => ({}));
    await app.ready();
    const later = (app.swagger() as unknown as Document).paths['/v1/later/{thing}']!.get!;
    expect(later.operationId).toBe('getLaterByThing');
    expect(errorCodes(later, '400')).toEqual(['invalid_q', 'validation_failed']);
    expect(errorCodes(later, '401')).toEqual(['unauthenticated']);
    await app.close();
  });

  it('is what docs/ERRORS.md lists (regenerate with npx tsx scripts/error-codes-table.ts)', () => {
    expect(fs.readFileSync(ERRORS_DOC, 'utf8')).toBe(renderErrorsDoc(doc as never));
  });

  it('generates a typed client (openapi-typescript) whose calls type-check, and which talks to the API', async () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.bazaar-openapi-'));
    try {
      fs.writeFileSync(path.join(dir, 'api.ts'), astToString(await openapiTS(doc as never)));
      fs.writeFileSync(
        path.join(dir, 'calls.ts'),
        `import createClient from 'openapi-fetch';
import type { operations, paths } from './api.ts';

const client = createClient<paths>({ baseUrl: 'http://localhost:3000' });

export async function buy(addressId: string, methodId: string): Promise<string> {
  const { data, error } = await client.POST('/v1/checkout', {
    params: { header: { 'idempotency-key': 'attempt-0001' } },
    body: { shipping_address_id: addressId, payment_method_id: methodId },
  });
  if (error) {
    const code: 'price_changed' | 'out_of_stock' | 'checkout_in_progress' | string = error.error.code;
    throw new Error(code);
  }
  return data.order_id;
}

export async function refusedCalls(): Promise<void> {
  // @ts-expect-error Idempotency-Key is required
  await client.POST('/v1/checkout', { body: { shipping_address_id: 'a', payment_method_id: 'b' } });
  // @ts-expect-error a quantity is a number
  await client.POST('/v1/cart/items', { body: { product_id: 'p', quantity: '2' } });
  // @ts-expect-error there is no such route
  await client.GET('/v1/nowhere');
}

export type SearchQuery = operations['searchProducts']['parameters']['query'];
export const query: SearchQuery = { q: 'running shoes', price_max: 5000, sort: 'price_asc' };
export type NotFound = NonNullable<operations['getOrder']['responses'][404]['content']>['application/json']['error']['code'];
export const missing: NotFound = 'order_not_found';
`,
      );
      const program = ts.createProgram([path.join(dir, 'calls.ts')], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        allowImportingTsExtensions: true,
        skipLibCheck: true,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        types: [],
      });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    // The same paths at run time, against the real server.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const client = createClient<any>({ baseUrl: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` });
    const registered = await client.POST('/v1/auth/register', { body: { email: `typed-${Date.now()}@example.com`, password: 'correct horse battery', name: 'Typed' } });
    expect(registered.response.status).toBe(201);
    const me = await client.GET('/v1/me', { headers: { authorization: `Bearer ${registered.data.token}` } });
    expect(me.data.name).toBe('Typed');
  });
});
