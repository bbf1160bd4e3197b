import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../platform/database.ts';
import { AppError, type ErrorKind } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { declaredErrorCode } from './validation.ts';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; request_id?: string };
}

interface KnownError {
  status: number;
  code: string;
  message: string;
}

/**
 * Framework errors a client can cause, in the app's vocabulary. Their own messages and
 * `FST_ERR_*` codes never reach the client: they name internals.
 */
export const FRAMEWORK_ERRORS: Readonly<Record<string, KnownError>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is empty but JSON was declared' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: 'Content-Length does not match the body' },
  FST_ERR_BAD_URL: { status: 400, code: 'invalid_url', message: 'The URL is not valid: a percent sign must start an escape such as %20' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'uri_too_long', message: 'A path segment of the URL is longer than any id or name this API uses' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'bad_request', message: 'The request could not be routed' },
};

/** Errors the HTTP parser raises before there is a request (see `clientErrorHandler`). */
const CLIENT_ERRORS: Readonly<Record<string, KnownError>> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'headers_too_large', message: 'The request headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request_timeout', message: 'The request took too long to arrive' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, code: 'request_timeout', message: 'The request headers took too long to arrive' },
};
const MALFORMED_REQUEST: KnownError = { status: 400, code: 'malformed_request', message: 'The request is not valid HTTP' };

/** Codes answered before any route is matched (so no operation of the OpenAPI document lists them). */
export const CONNECTION_ERROR_CODES: readonly { code: string; status: number }[] = [
  ...['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH'].map((key) => FRAMEWORK_ERRORS[key]!),
  ...Object.values(CLIENT_ERRORS),
  MALFORMED_REQUEST,
  { code: 'route_not_found', status: 404 },
].map(({ code, status }) => ({ code, status }));

/** Generic codes of framework statuses without an entry above. */
const CODE_BY_STATUS: Readonly<Record<number, string>> = { 400: 'bad_request', 404: 'route_not_found', 405: 'method_not_allowed', 406: 'not_acceptable', 413: 'payload_too_large', 414: 'uri_too_long', 415: 'unsupported_media_type', 429: 'rate_limited', 431: 'headers_too_large' };

const lookup = <T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined =>
  key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;

export const errorBody = (code: string, message: string, requestId: string, details?: Record<string, unknown>): ErrorBody => ({
  error: { code, message, ...(details ? { details } : {}), request_id: requestId },
});

function validationDetails(error: FastifyError) {
  const issues = (error.validation ?? []).map((issue) => ({
    path: issue.instancePath || '/',
    message: issue.message ?? 'is invalid',
    ...(issue.keyword === 'additionalProperties' ? { field: (issue.params as { additionalProperty?: string }).additionalProperty } : {}),
  }));
  return { in: error.validationContext, issues };
}

/** Maps anything thrown by a route, hook or the framework to a status and the one error body. */
export function describeError(error: FastifyError | AppError): KnownError & { details?: Record<string, unknown>; internal: boolean } {
  if (error instanceof AppError) {
    const status = STATUS_BY_KIND[error.kind];
    return { status, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}), internal: status >= 500 };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return {
      status: 400,
      code: declaredErrorCode(fastifyError.validation as never) ?? 'validation_failed',
      message: `Invalid ${fastifyError.validationContext ?? 'request'}: ${fastifyError.message}`,
      details: validationDetails(fastifyError),
      internal: false,
    };
  }
  const known = lookup(FRAMEWORK_ERRORS, fastifyError.code);
  if (known) return { ...known, internal: false };
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const code = lookup(CODE_BY_STATUS, String(status)) ?? 'bad_request';
    return { status, code, message: http.STATUS_CODES[status] ?? 'Bad request', internal: false };
  }
  // A database restart or failover is an outage, not a bug: the client should retry (with the same Idempotency-Key).
  if (isDatabaseUnavailable(error)) return { status: 503, code: 'database_unavailable', message: 'The database is unavailable for a moment; retry the request shortly', internal: false };
  return { status: 500, code: 'internal', message: 'Something went wrong on our side; the request id identifies it in our logs', internal: true };
}

/** The only place where errors become HTTP responses. 5xx bodies never carry internals. */
export interface ErrorHandlingOptions {
  /** Answers an unknown URL asked for by a browser with a page; returns undefined to leave it to the JSON 404. */
  htmlNotFound?: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> | undefined;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const described = describeError(error);
    if (described.internal) request.log.error({ err: error }, 'request failed');
    else if (described.code === 'database_unavailable') request.log.warn({ err: error }, 'database unavailable');
    else if (!(error instanceof AppError)) request.log.debug({ err: error }, 'client error');
    // Every 503 is temporary: say when to come back (clients and HAProxy back off on it).
    if (described.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    return reply.status(described.status).send(errorBody(described.code, described.message, String(request.id), described.details));
  });

  app.setNotFoundHandler((request, reply) => {
    const page = options.htmlNotFound?.(request, reply);
    if (page) return page;
    const body = errorBody('route_not_found', `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`, String(request.id));
    return reply.status(404).send(body);
  });
}

/** Fastify's `frameworkErrors`: bad URL escapes, over-long path parameters, routing failures. */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const described = describeError(error);
  reply.header('x-request-id', request.id);
  void reply.status(described.status).send(errorBody(described.code, described.message, String(request.id)));
}

/**
 * Node's `clientError`: the request never got parsed (oversized headers, a malformed request
 * line, a timeout). Answered in the one error format, and says `Connection: close` because
 * the socket is closed right after.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = lookup(CLIENT_ERRORS, error.code) ?? MALFORMED_REQUEST;
  const requestId = newId();
  const body = JSON.stringify(errorBody(known.code, known.message, requestId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${http.STATUS_CODES[known.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
