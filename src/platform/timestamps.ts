/**
 * Client-supplied instants (RFC 3339 date-times, cursor keys) the application and both
 * database drivers store and read back unchanged. `Date.parse` accepts year 0 and
 * 275760, JSON Schema's `date-time` accepts leap second :60, and PostgreSQL rejects or
 * reinterprets some of those; only years 0001–9999 in UTC round-trip through
 * `toISOString()` and a `timestamptz` column everywhere.
 */
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?(?:[Zz]|[+-]\d\d:\d\d)$/;
const utc = (year: number, month: number, day: number, ...time: number[]) => {
  // Date.UTC maps years 0–99 to 1900–1999, so the year is set on its own.
  const date = new Date(Date.UTC(2000, month, day, ...time));
  date.setUTCFullYear(year);
  return date.getTime();
};
const FIRST = utc(1, 0, 1);
const LAST = utc(9999, 11, 31, 23, 59, 59, 999);

/** The instant of a storable RFC 3339 date-time, or undefined. */
export function parseStorableTimestamp(text: string): Date | undefined {
  if (text.length > 40 || !RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Date.parse rolls 2026-02-30 over to March; a real date-time names a real day.
  const [, y, mo, d] = RFC3339.exec(text)!;
  const day = new Date(utc(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCDate() !== Number(d) || day.getUTCMonth() !== Number(mo) - 1) return undefined;
  return ms < FIRST || ms > LAST ? undefined : new Date(ms);
}

export const isStorableTimestamp = (text: string): boolean => parseStorableTimestamp(text) !== undefined;
