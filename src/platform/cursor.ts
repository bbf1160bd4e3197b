import { invalid } from './errors.ts';
import { isUuid } from './ids.ts';
import { parseStorableTimestamp } from './timestamps.ts';

/**
 * Keyset-pagination cursors: opaque to clients (base64url JSON), but client-held and
 * unsigned, so every field is validated on the way back in as strictly as a request
 * parameter: a tampered cursor is `400 invalid_cursor`, never a value that reaches SQL.
 *
 *   const OrdersCursor = cursorCodec({ p: 'timestamp', i: 'uuid' });
 *   OrdersCursor.encode({ p: order.placedAt, i: order.id });
 *   const after = OrdersCursor.decode(query.cursor); // { p: Date, i: string }
 */
export type CursorField = 'uuid' | 'timestamp' | { int: readonly [min: number, max: number] } | { text: RegExp };

type FieldValue<F> = F extends 'timestamp' ? Date : F extends { int: unknown } ? number : string;
export type CursorValues<S extends Record<string, CursorField>> = { [K in keyof S]: FieldValue<S[K]> };

export interface CursorCodec<S extends Record<string, CursorField>> {
  encode(values: CursorValues<S>): string;
  /** The cursor's fields, each checked against its kind; `invalid_cursor` (400) otherwise. */
  decode(cursor: string): CursorValues<S>;
}

export const MAX_CURSOR_LENGTH = 512;

export const invalidCursor = () => invalid('invalid_cursor', 'The cursor is not one this API issued');

function decodeField(field: CursorField, raw: unknown): string | number | Date | undefined {
  if (field === 'uuid') return typeof raw === 'string' && isUuid(raw) ? raw : undefined;
  if (field === 'timestamp') return typeof raw === 'string' ? parseStorableTimestamp(raw) : undefined;
  if ('int' in field) {
    const [min, max] = field.int;
    return typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= min && raw <= max ? raw : undefined;
  }
  return typeof raw === 'string' && field.text.test(raw) ? raw : undefined;
}

export function cursorCodec<S extends Record<string, CursorField>>(shape: S): CursorCodec<S> {
  const keys = Object.keys(shape) as (keyof S & string)[];
  return {
    encode(values) {
      const plain: Record<string, string | number> = {};
      for (const key of keys) {
        const value = values[key] as unknown;
        plain[key] = value instanceof Date ? value.toISOString() : (value as string | number);
      }
      return Buffer.from(JSON.stringify(plain)).toString('base64url');
    },
    decode(cursor) {
      if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw invalidCursor();
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor();
      const record = parsed as Record<string, unknown>;
      if (Object.keys(record).length !== keys.length) throw invalidCursor();
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const value = Object.hasOwn(record, key) ? decodeField(shape[key]!, record[key]) : undefined;
        if (value === undefined) throw invalidCursor();
        out[key] = value;
      }
      return out as CursorValues<S>;
    },
  };
}
