import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { Config } from '../../platform/config.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Security headers (helmet) on every response: `nosniff`, no framing, a CSP. JSON answers load
 * nothing and are never framed (`default-src 'none'; frame-ancestors 'none'`); HTML pages set
 * their own CSP for what they load (the API docs: see `DOCS_CSP`; the storefront brings its own).
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Images and JSON are read by storefronts on other origins; CORS (not this header) decides who may read with credentials.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    // A shop's API does not decide HSTS for every sibling subdomain.
    strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
  });
}

/** Swagger UI's own CSP (script and style hashes), minus upgrade-insecure-requests, which would break /docs on plain http. */
export const transformDocsCsp = (header: string) =>
  header
    .split(';')
    .map((d) => d.trim())
    .filter((d) => d !== '' && d !== 'upgrade-insecure-requests')
    .join('; ');

/**
 * CORS for a browser storefront on another origin: off unless CORS_ORIGINS lists origins, and
 * then only those get CORS headers, credentials included. Any other origin gets none, so a
 * browser will not let its scripts read the answers.
 */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  if (config.corsOrigins.length === 0) return;
  await app.register(cors, {
    origin: config.corsOrigins,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'if-none-match', 'x-request-id'],
    exposedHeaders: ['etag', 'idempotency-key', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining'],
    maxAge: 600,
    strictPreflight: true,
  });
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** onRequest for /metrics when METRICS_TOKEN is set: `Authorization: Bearer <token>`, compared in constant time. */
export function metricsTokenCheck(token: string) {
  const expected = digest(token);
  return async (request: FastifyRequest): Promise<void> => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new AppError('unauthenticated', 'unauthenticated', 'Metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
  };
}
