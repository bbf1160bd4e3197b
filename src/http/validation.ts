import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { invalid } from '../platform/errors.ts';
import { UUID_PATTERN } from '../platform/ids.ts';
import { isStorableTimestamp } from '../platform/timestamps.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Schema annotation: the error code a field's validation failure is reported with (default `validation_failed`). */
export const ERROR_CODE_KEYWORD = 'x-error-code';

export function makeAjv(coerceTypes: boolean | 'array', allErrors = false): Ajv {
  // verbose: errors carry their schema, so a field can name its own error code.
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors, strict: false, verbose: true });
  addFormats(ajv);
  // The formats as the database and the application store them, not as JSON Schema reads them:
  // `uuid` would pass `urn:uuid:…`, `date-time` year 0000 or second :60, and PostgreSQL refuses those with a 5xx.
  ajv.addFormat('uuid', { type: 'string', validate: new RegExp(UUID_PATTERN) });
  ajv.addFormat('date-time', { type: 'string', validate: isStorableTimestamp });
  return ajv;
}

/**
 * Bodies are validated strictly (a string "5" is not a quantity); query strings, params
 * and headers are text on the wire and are coerced to their declared types.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = makeAjv(false);
  const coercing = makeAjv('array');
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

/** The code a failed field declares with `x-error-code`, if any. */
export function declaredErrorCode(issues: readonly ErrorObject[] | undefined): string | undefined {
  for (const issue of issues ?? []) {
    const code = (issue.parentSchema as Record<string, unknown> | undefined)?.[ERROR_CODE_KEYWORD];
    if (typeof code === 'string') return code;
  }
  return undefined;
}

// NUL is refused by PostgreSQL in text and jsonb; an unpaired surrogate cannot be encoded as UTF-8
// (the drivers would silently store U+FFFD instead).
const UNSTORABLE = /[\u0000\p{Cs}]/u;

/** The JSON-pointer path of the first string (or object key) in `value` the database cannot store. */
export function findUnstorableText(value: unknown): string | undefined {
  // Iterative: a 64 KB body nests deep enough to overflow a recursive walk.
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) return path || '/';
    } else if (Array.isArray(current)) {
      current.forEach((item, i) => stack.push([item, `${path}/${i}`]));
    } else if (current !== null && typeof current === 'object' && !Buffer.isBuffer(current)) {
      for (const [key, item] of Object.entries(current)) {
        const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (UNSTORABLE.test(key)) return at;
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}

/**
 * preHandler for every route: no string of the request (path, query, body, at any depth,
 * keys included) may carry text the database refuses. Runs after parsing and schema
 * validation, so also routes that parse their own body (signed webhooks) are covered.
 */
export async function rejectUnstorableText(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [['params', request.params], ['querystring', request.query], ['body', request.body]] as const) {
    const path = findUnstorableText(value);
    if (path !== undefined) {
      throw invalid('validation_failed', `Invalid ${part}: text must not contain NUL characters or unpaired surrogates`, {
        in: part,
        issues: [{ path: path.slice(0, 200), message: 'must not contain NUL characters or unpaired surrogates' }],
      });
    }
  }
}
