import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { makeAjv } from '../http/validation.ts';
import { AppError } from '../platform/errors.ts';
import { CSRF_FIELD } from './csrf.ts';

/** Field name → message; `_form` holds messages about the whole form. */
export type FieldErrors = Record<string, string>;
export const FORM_LEVEL = '_form';

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

// Form fields are text, like query strings: coerced to the schema's types, every mistake reported at once.
const ajv = makeAjv(true, true);
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema as object);
    compiled.set(schema, validate);
  }
  return validate;
}

function humanMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'This field is required';
    case 'minLength':
      return params.limit === 1 ? 'This field is required' : `Use at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `Use at most ${String(params.limit)} characters`;
    case 'format':
      return params.format === 'email' ? 'Enter an email address like name@example.com' : 'This value is not valid';
    case 'pattern':
      return 'This value is not in the expected format';
    case 'minimum':
      return `Enter at least ${String(params.limit)}`;
    case 'maximum':
      return `Enter at most ${String(params.limit)}`;
    case 'type':
      return params.type === 'integer' || params.type === 'number' ? 'Enter a number' : 'This value is not valid';
    default:
      return 'This value is not valid';
  }
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String((error.params as { missingProperty?: string }).missingProperty ?? FORM_LEVEL);
  const [first] = error.instancePath.split('/').filter(Boolean);
  return first ?? FORM_LEVEL;
}

/** Text fields of a submitted form, minus the CSRF token; empty optional fields are dropped. */
export function formValues(body: unknown, fields: readonly string[]): Record<string, string> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of fields) {
    if (field === CSRF_FIELD) continue;
    const raw = source[field];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

/**
 * Validates a submitted form with the API's own TypeBox schema for the same operation, so the
 * browser and the API accept exactly the same input. Blank optional fields count as absent.
 */
export function validateForm<S extends TSchema>(schema: S, body: unknown, fields: readonly string[]): FormResult<Static<S>> {
  const values = formValues(body, fields);
  const candidate: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value.trim() !== '') candidate[key] = value;
  const validate = validatorFor(schema);
  if (validate(candidate)) return { ok: true, value: candidate as Static<S> };
  const errors: FieldErrors = {};
  for (const error of validate.errors ?? []) {
    const field = fieldOf(error);
    errors[field] ??= humanMessage(error);
  }
  return { ok: false, errors, values };
}

/**
 * A service's refusal as field messages: codes listed in `fields` attach to that field, any
 * other expected refusal (a 4xx) becomes a message about the whole form. Internal errors are
 * rethrown so the error page (with the request id) answers them.
 */
export function errorsFromAppError(error: unknown, fields: Record<string, string> = {}): FieldErrors {
  if (!(error instanceof AppError) || error.kind === 'internal') throw error;
  const field = fields[error.code] ?? FORM_LEVEL;
  return { [field]: error.message };
}

/** Validates an object already assembled from form fields (e.g. nested money) with an API schema. */
export function validateObject<S extends TSchema>(schema: S, candidate: Record<string, unknown>): { ok: true; value: Static<S> } | { ok: false; errors: FieldErrors } {
  const validate = validatorFor(schema);
  if (validate(candidate)) return { ok: true, value: candidate as Static<S> };
  const errors: FieldErrors = {};
  for (const error of validate.errors ?? []) errors[fieldOf(error)] ??= humanMessage(error);
  return { ok: false, errors };
}
