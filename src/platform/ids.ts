import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** Time-ordered UUID (v7), generated in the application so SQL stays PostgreSQL-15 compatible. */
export const newId = (): string => uuidv7();

/** URL-safe random secret (tokens, webhook secrets). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * The one id format the API accepts: the canonical, lower-case, hyphenated form it emits.
 * PostgreSQL would also take `{…}`, `urn:uuid:…` or upper case, and JSON Schema's `uuid`
 * format passes `urn:uuid:…`; accepting only this form keeps ids comparable as strings
 * everywhere (cache keys, cursors, ownership checks) and never lets the database be the judge.
 */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const uuid = new RegExp(UUID_PATTERN);
export const isUuid = (value: string): boolean => uuid.test(value);
