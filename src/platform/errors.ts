/**
 * One error type for the whole platform. Services throw `AppError` (or a module
 * subclass) with a stable machine-readable `code`; only the HTTP error handler
 * turns a `kind` into a status code.
 */
export type ErrorKind =
  | 'invalid'
  | 'unprocessable'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'payment_required'
  | 'conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'unavailable'
  | 'internal';

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * The one not-found error: code `<entity>_not_found` (`order_not_found`, `payment_method_not_found`),
 * so a client can tell which of the ids it sent is unknown. `entity` is snake_case.
 */
export const notFound = (entity: string, id?: string | number, details: Record<string, unknown> = {}) => {
  const label = entity.charAt(0).toUpperCase() + entity.slice(1).replaceAll('_', ' ');
  const message = id !== undefined ? `${label} ${id} was not found` : `${label} was not found`;
  return new AppError(`${entity}_not_found`, 'not_found', message, { ...(id !== undefined ? { id } : {}), ...details });
};

export const forbidden = (message = 'You are not allowed to do this') => new AppError('forbidden', 'forbidden', message);

export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(code, 'conflict', message, details);

export const invalid = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(code, 'invalid', message, details);

export const unprocessable = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(code, 'unprocessable', message, details);

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
