import { invalid } from './errors.ts';

/** Opaque keyset-pagination cursors: base64url JSON, validated on the way back in. */
export const encodeCursor = (value: Record<string, string | number>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string | number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('invalid_cursor', 'The cursor is not one this API issued');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('invalid_cursor', 'The cursor is not one this API issued');
  const record = parsed as Record<string, unknown>;
  for (const key of keys) {
    const value = record[key];
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw invalid('invalid_cursor', 'The cursor is not one this API issued');
    }
  }
  return record as Record<K, string | number>;
}
