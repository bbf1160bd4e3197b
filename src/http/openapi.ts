import http from 'node:http';
import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type, type TSchema } from 'typebox';
import { transformDocsCsp } from './plugins/security.ts';
import { ERROR_CODE_KEYWORD } from './validation.ts';

/**
 * The OpenAPI document is generated from the route schemas; this file adds what generated
 * clients need and a route would otherwise have to repeat: an operationId on every
 * operation, and every error response with the exact codes it can carry.
 *
 * A route declares only its own error codes (`responses({ 200: X }, { 404: ['order_not_found'] })`);
 * the codes every route shares (validation, bad tokens, body parsing, shutdown) are added here
 * from what the route declares (a body, a querystring, fields with `x-error-code`).
 */

/** Codes any operation with these traits can answer with. */
const SHARED = {
  validation: ['validation_failed'],
  body: { 400: ['malformed_json', 'bad_request'], 413: ['payload_too_large'], 415: ['unsupported_media_type'] },
  bearer: ['unauthenticated'],
  // Every operation may meet a draining server or a database outage (both 503 with Retry-After).
  shutdown: ['database_unavailable', 'shutting_down'],
} as const;

/** Default codes for statuses routes list without codes. */
const DEFAULT_CODES: Readonly<Record<number, readonly string[]>> = { 401: ['unauthenticated'], 403: ['forbidden'], 429: ['rate_limited'] };

export type ErrorCodes = Readonly<Record<number, readonly string[]>>;

/** Route config: the route ignores any Authorization header (sign-in, probes), so a bad token is no 401 there. */
export interface OpenApiRouteConfig {
  ignoreBearer?: boolean;
}

const ERROR_CODES = Symbol('bazaar.errorCodes');
type ErrorSchema = TSchema & { [ERROR_CODES]?: readonly string[] };

/** The error body of one status, with its codes as an enum (typed clients get a union of them). */
export function errorSchema(status: number, codes: readonly string[]): ErrorSchema {
  const unique = [...new Set(codes)].sort();
  const schema: ErrorSchema = Type.Object(
    {
      error: Type.Object({
        // A route that lists a status without its codes gets no enum (and fails the OpenAPI test), rather than an app that cannot start.
        code: Type.String({ ...(unique.length > 0 ? { enum: unique } : {}), description: 'Stable machine-readable code' }),
        message: Type.String({ description: 'For people; may change' }),
        details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        request_id: Type.String({ description: 'Names this request in the logs' }),
      }),
    },
    { description: `${http.STATUS_CODES[status] ?? 'Error'}: ${unique.join(', ')}` },
  );
  Object.defineProperty(schema, ERROR_CODES, { value: unique, enumerable: false });
  return schema;
}

/**
 * Response schemas of a route: the success shape(s), plus one error schema per status with its
 * codes. `errors` lists codes per status; a bare list of statuses uses the default codes
 * (401 unauthenticated, 403 forbidden, 429 rate_limited).
 */
export function responses(success: Record<number, TSchema>, errors: ErrorCodes | readonly number[] = {}): Record<number, TSchema> {
  const result: Record<number, TSchema> = { ...success };
  const byStatus: Record<number, readonly string[]> = Array.isArray(errors)
    ? Object.fromEntries((errors as readonly number[]).map((status) => [status, DEFAULT_CODES[status] ?? []]))
    : (errors as ErrorCodes);
  for (const [status, codes] of Object.entries(byStatus)) result[Number(status)] = errorSchema(Number(status), codes.length > 0 ? codes : DEFAULT_CODES[Number(status)] ?? []);
  return result;
}

const codesOf = (schema: unknown): readonly string[] => ((schema as ErrorSchema | undefined)?.[ERROR_CODES] ?? []);

/** `x-error-code` values declared anywhere in a request schema. */
function declaredFieldCodes(schema: unknown, found = new Set<string>()): Set<string> {
  if (schema && typeof schema === 'object') {
    const code = (schema as Record<string, unknown>)[ERROR_CODE_KEYWORD];
    if (typeof code === 'string') found.add(code);
    for (const value of Object.values(schema)) declaredFieldCodes(value, found);
  }
  return found;
}

/** Every error code a route can answer with, by status: what it declares plus what it shares with every route. */
export function routeErrorCodes(route: Pick<RouteOptions, 'schema' | 'config' | 'method'>): Record<number, string[]> {
  const schema = (route.schema ?? {}) as Record<string, unknown>;
  const response = (schema.response ?? {}) as Record<string, unknown>;
  const codes: Record<number, Set<string>> = {};
  const add = (status: number, list: readonly string[]) => list.forEach((code) => (codes[status] ??= new Set()).add(code));
  for (const [status, s] of Object.entries(response)) if (Number(status) >= 400) add(Number(status), codesOf(s));
  add(400, SHARED.validation);
  for (const part of ['params', 'querystring', 'headers', 'body']) add(400, [...declaredFieldCodes(schema[part])]);
  if (schema.body) for (const [status, list] of Object.entries(SHARED.body)) add(Number(status), list);
  if (!(route.config as OpenApiRouteConfig | undefined)?.ignoreBearer) add(401, SHARED.bearer);
  add(503, SHARED.shutdown);
  return Object.fromEntries(Object.entries(codes).map(([status, set]) => [status, [...set].sort()]));
}

const METHOD_VERBS: Readonly<Record<string, string>> = { GET: 'get', POST: 'create', PUT: 'set', PATCH: 'update', DELETE: 'delete' };

/** A readable operationId from method and path: `GET /v1/admin/products/:id` → `getAdminProductsById`. */
export function operationIdFor(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'v1')
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[-_.]/))
    .filter((word) => word !== '');
  const verb = METHOD_VERBS[method] ?? method.toLowerCase();
  return [verb, ...words].map((word, i) => (i === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
}

/**
 * onRoute hook, added before any route: names every documented operation that has no explicit
 * operationId, and completes its error responses with the shared codes. Routes registered later
 * (by any plugin) get both without doing anything.
 */
export function documentOperations(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('HEAD') && methods.length === 1) return;
    const schema = (route.schema ??= {}) as Record<string, unknown>;
    if (schema.hide) return;
    schema.operationId ??= operationIdFor(methods.find((m) => m !== 'HEAD') ?? 'GET', route.url);
    const response = (schema.response ??= {}) as Record<string, unknown>;
    for (const [status, codes] of Object.entries(routeErrorCodes(route))) response[status] = errorSchema(Number(status), codes);
  });
}

/** The OpenAPI document (`/docs/json`) and the interactive docs (`/docs`, with a CSP that fits what it loads). */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Bazaar API',
        version: '1',
        description:
          'Catalog, search, cart, checkout, inventory, orders and fulfillment. Every error is `{error: {code, message, details?, request_id}}`; ' +
          'each error response lists its codes. Not-found codes are `<entity>_not_found`.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, transformStaticCSP: transformDocsCsp });
}
