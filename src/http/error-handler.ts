import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorKind } from '../platform/errors.ts';

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

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is empty but JSON was declared' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: 'Content-Length does not match the body' },
  FST_ERR_VALIDATION: { status: 400, code: 'validation_failed', message: 'The request is not valid' },
};

function validationDetails(error: FastifyError) {
  const issues = (error.validation ?? []).map((issue) => ({
    path: issue.instancePath || '/',
    message: issue.message ?? 'is invalid',
    ...(issue.keyword === 'additionalProperties'
      ? { field: (issue.params as { additionalProperty?: string }).additionalProperty }
      : {}),
  }));
  return { in: error.validationContext, issues };
}

/** The only place where errors become HTTP responses. 5xx bodies never carry internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) => {
    const send = (status: number, code: string, message: string, details?: Record<string, unknown>) => {
      const body: ErrorBody = { error: { code, message, ...(details ? { details } : {}), request_id: String(request.id) } };
      return reply.status(status).send(body);
    };
    if (error instanceof AppError) {
      const status = STATUS_BY_KIND[error.kind];
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return send(status, error.code, error.message, error.details);
    }
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      return send(400, 'validation_failed', `Invalid ${fastifyError.validationContext ?? 'request'}: ${fastifyError.message}`, validationDetails(fastifyError));
    }
    const known = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
    if (known) return send(known.status, known.code, known.message);
    if (fastifyError.statusCode === 429) return send(429, 'rate_limited', 'Too many requests, slow down', { retry_after: reply.getHeader('retry-after') });
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return send(fastifyError.statusCode, 'bad_request', fastifyError.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(500, 'internal', 'Something went wrong on our side; the request id identifies it in our logs');
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'route_not_found', message: `No route ${request.method} ${request.url.split('?')[0]}`, request_id: String(request.id) },
    };
    return reply.status(404).send(body);
  });
}
