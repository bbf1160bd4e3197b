import { randomBytes } from 'node:crypto';
import { uuidv7 } from 'uuidv7';

/** Time-ordered UUID (v7), generated in the application so SQL stays PostgreSQL-15 compatible. */
export const newId = (): string => uuidv7();

/** URL-safe random secret (tokens, webhook secrets). */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);
