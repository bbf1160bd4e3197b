import fc from 'fast-check';

/**
 * fast-check arbitraries derived from the OpenAPI document: every operation's path, query,
 * header and body parameters, mostly valid by their schema (so requests get past validation
 * and reach services and SQL), mixed with the values that historically broke things: NUL,
 * unpaired surrogates, built-in property names, non-canonical ids, out-of-range numbers and
 * dates, tampered cursors, wrong types, unknown and missing fields.
 */

export interface OpenApiParameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: Schema;
}
export interface OpenApiOperation {
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}
export type Schema = Record<string, any>;

/** Ids the fuzzer plants among random ones, so requests reach rows that exist. */
export interface IdPool {
  uuids: string[];
  integers: number[];
  strings: string[];
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Already serialized, or undefined for no body. */
  payload?: string;
}

const SOME_ID = '0190a7e8-1c2d-7e3f-8a4b-5c6d7e8f9a0b';

export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  'x\ud800y',
  '\udfff',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  "'; drop table products; --",
  '" or 1=1 --',
  '%',
  '%00',
  '%zz',
  '../../etc/passwd',
  `urn:uuid:${SOME_ID}`,
  `{${SOME_ID}}`,
  SOME_ID.toUpperCase(),
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '2026-02-30T10:00:00Z',
  '2026-01-01T23:59:60Z',
  'NaN',
  'Infinity',
  '-1',
  '1e400',
  '99999999999999999999',
  'null',
  'true',
  '\u202eevil',
  '🛒🛍️',
  'ß'.repeat(300),
  'a'.repeat(5000),
];

const NASTY_NUMBERS = [-1, 0, 1, 1.5, -0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e20, 1e308, -1e308];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Cursors as a client could tamper with them: the shapes the API issues, with values of the wrong kind or range. */
export const cursorArbitrary = (pool: IdPool): fc.Arbitrary<string> => {
  const key = fc.constantFrom('p', 'i', 'c', 'id', 's', 'v', 'w', '__proto__');
  const value = fc.oneof(
    fc.constantFrom(...pool.uuids, ...NASTY_STRINGS.slice(0, 25), 'newest', 'price_asc', 'rating', 'relevance', '2026-01-01T00:00:00.000Z'),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  return fc.oneof(
    fc.dictionary(key, value, { maxKeys: 5 }).map(b64),
    fc.string({ maxLength: 40 }),
    fc.constantFrom('not base64 !', b64('text'), b64([1, 2]), Buffer.from('{"p":').toString('base64url')),
  );
};

function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (let i = 0; i < 10 && current?.$ref; i++) {
    const name = String(current.$ref).split('/').pop()!.replace(/#$/, '');
    current = doc.components?.schemas?.[name] ?? {};
  }
  return current ?? {};
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

type Path = (string | number)[];

/** Every place in a value one bad value can go: leaves, and objects (for a bad key). */
function placesIn(value: unknown, at: Path = [], out: { path: Path; kind: string }[] = []): { path: Path; kind: string }[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => placesIn(item, [...at, i], out));
    if (value.length === 0) out.push({ path: at, kind: 'array' });
  } else if (value !== null && typeof value === 'object') {
    out.push({ path: at, kind: 'object' });
    for (const [key, item] of Object.entries(value)) placesIn(item, [...at, key], out);
  } else {
    out.push({ path: at, kind: typeof value });
  }
  return out;
}

function replaceAt(value: unknown, path: Path, replacement: (current: unknown) => unknown): unknown {
  if (path.length === 0) return replacement(value);
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

/** One bad value of the kind that breaks a field of that kind (text for strings, numbers for numbers…). */
const badFor = (kind: string): fc.Arbitrary<unknown> => {
  const text = fc.constantFrom(...NASTY_STRINGS);
  const numbers = fc.constantFrom(...NASTY_NUMBERS);
  const other = fc.constantFrom(null, true, [], {}, 'x');
  if (kind === 'string') return fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: numbers }, { weight: 1, arbitrary: other });
  if (kind === 'number') return fc.oneof({ weight: 5, arbitrary: numbers }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: other });
  return fc.oneof(text, numbers, other);
};

/** A valid value with exactly one thing wrong: a bad leaf, a bad or unknown key, a missing field. */
function mutateOne(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), fc.constantFrom('leaf', 'leaf', 'leaf', 'key', 'drop'), fc.constantFrom(...NASTY_STRINGS.slice(0, 12), 'unexpected_field'), fc.nat()).chain(([value, pick, how, key, seed]) => {
    const places = placesIn(value);
    const place = places[pick % places.length]!;
    const objects = places.filter((p) => p.kind === 'object');
    if (how === 'key' && objects.length > 0) {
      const target = objects[seed % objects.length]!;
      return badFor('string').map((bad) => replaceAt(value, target.path, (o) => Object.defineProperty({ ...(o as object) }, key, { value: bad, enumerable: true, writable: true, configurable: true })));
    }
    if (how === 'drop' && place.path.length > 0) {
      const parent = place.path.slice(0, -1);
      const last = place.path[place.path.length - 1]!;
      return fc.constant(replaceAt(value, parent, (o) => (Array.isArray(o) ? o.filter((_, i) => i !== last) : Object.fromEntries(Object.entries(o as object).filter(([k]) => k !== last)))));
    }
    return badFor(place.kind).map((bad) => replaceAt(value, place.path, () => bad));
  });
}

export class SchemaArbitraries {
  constructor(
    private readonly doc: OpenApiDocument,
    private readonly pool: IdPool,
  ) {}

  /** Valid by the schema (with planted ids), valid but for one thing, or anything at all. */
  value(schema: Schema, name = ''): fc.Arbitrary<unknown> {
    const valid = this.valid(resolve(this.doc, schema), name, 0);
    return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 4, arbitrary: mutateOne(valid) }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2, maxKeys: 3 }) });
  }

  /** A value valid by the schema. */
  valid(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
    if (schema.const !== undefined) return fc.constant(schema.const);
    const union = schema.anyOf ?? schema.oneOf;
    if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map((s: Schema) => this.valid(resolve(this.doc, s), name, depth)));
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return this.valid(this.merge(schema.allOf), name, depth);
    const nullable = schema.nullable ? (arb: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : (arb: fc.Arbitrary<unknown>) => arb;
    switch (schema.type) {
      case 'string':
        return nullable(this.string(schema, name));
      case 'integer':
        return nullable(this.integer(schema));
      case 'number':
        return nullable(fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true }));
      case 'boolean':
        return nullable(fc.boolean());
      case 'array':
        return nullable(fc.array(this.valid(resolve(this.doc, schema.items ?? {}), name, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) }));
      case 'object':
        return nullable(depth > 4 ? fc.constant({}) : this.object(schema, depth));
      default:
        return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
    }
  }

  private merge(schemas: Schema[]): Schema {
    const merged: Schema = { type: 'object', properties: {}, required: [] };
    for (const s of schemas.map((x) => resolve(this.doc, x))) {
      Object.assign(merged.properties, s.properties ?? {});
      merged.required.push(...(s.required ?? []));
    }
    return merged;
  }

  private string(schema: Schema, name: string): fc.Arbitrary<string> {
    const { uuids, strings } = this.pool;
    if (name === 'cursor') return cursorArbitrary(this.pool);
    if (schema.format === 'uuid') return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...uuids) }, { weight: 1, arbitrary: fc.uuid() });
    if (schema.format === 'date-time') return fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    if (schema.format === 'date') return fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.constantFrom(...strings.filter((s) => s.includes('@'))));
    const pattern = typeof schema.pattern === 'string' ? safeRegExp(schema.pattern) : undefined;
    const minLength = schema.minLength ?? 0;
    const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 60, 60));
    // Planted strings only where they fit: a filter that rarely passes would make fast-check spin.
    const fits = (s: string) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity) && (!pattern || pattern.test(s));
    const planted = strings.filter(fits);
    const generated = pattern
      ? fc.stringMatching(pattern).map((s) => s.slice(0, schema.maxLength ?? s.length))
      : fc.string({ minLength, maxLength, unit: 'grapheme' });
    return planted.length > 0 ? fc.oneof({ weight: 4, arbitrary: generated }, { weight: 1, arbitrary: fc.constantFrom(...planted) }) : generated;
  }

  private integer(schema: Schema): fc.Arbitrary<number> {
    const min = Number.isFinite(schema.minimum) ? schema.minimum : -(2 ** 31);
    const max = Number.isFinite(schema.maximum) ? schema.maximum : 2 ** 31;
    const planted = this.pool.integers.filter((n) => n >= min && n <= max);
    return fc.oneof({ weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 2, arbitrary: fc.constantFrom(min, max, ...planted) });
  }

  private object(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties: Record<string, Schema> = schema.properties ?? {};
    const required = (schema.required ?? []).filter((k: string) => k in properties);
    const known = fc.record(
      Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, this.valid(resolve(this.doc, s), key, depth + 1)])),
      { requiredKeys: required },
    );
    const free = schema.patternProperties ?? (typeof schema.additionalProperties === 'object' ? { '.*': schema.additionalProperties } : undefined);
    const minimum = schema.minProperties ?? 0;
    const withFree = free
      ? fc.tuple(known, fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), this.valid(resolve(this.doc, Object.values(free)[0] as Schema), '', depth + 1), { maxKeys: 3 })).map(([k, more]) => ({ ...more, ...k }))
      : known;
    // minProperties: fill in the first property when the record came out too small.
    const first = Object.entries(properties)[0];
    if (minimum === 0 || !first) return withFree;
    return fc.tuple(withFree, this.valid(resolve(this.doc, first[1]), first[0], depth + 1)).map(([o, v]) => (Object.keys(o).length >= minimum ? o : { ...o, [first[0]]: v }));
  }

  /** One request for an operation, with path parameters filled and the body serialized. */
  request(method: string, path: string, op: OpenApiOperation): fc.Arbitrary<FuzzRequest> {
    const params = op.parameters ?? [];
    const part = (where: string) => params.filter((p) => p.in === where);
    const group = (list: OpenApiParameter[]) => {
      const asObject: Schema = {
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, p.schema ?? {}])),
        required: list.filter((p) => p.required || p.in === 'path').map((p) => p.name),
      };
      const valid = this.valid(asObject, '', 0) as fc.Arbitrary<Record<string, unknown>>;
      return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 3, arbitrary: mutateOne(valid) as fc.Arbitrary<Record<string, unknown>> });
    };
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const body = bodySchema
      ? fc.oneof({ weight: 12, arbitrary: this.value(bodySchema).map((v) => JSON.stringify(v) ?? 'null') }, { weight: 1, arbitrary: fc.constantFrom('{"a":', '', '[]', 'null', '"\\u0000"', '{"__proto__":{"x":1}}') })
      : fc.constant(undefined);
    return fc.tuple(group(part('path')), group(part('query')), group(part('header')), body).map(([pathValues, query, headers, payload]) => {
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeComponent(String(pathValues?.[name] ?? SOME_ID)));
      const search = Object.entries(query ?? {})
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((item) => [k, item]) : [[k, v]]))
        .map(([k, v]) => `${encodeComponent(String(k))}=${encodeComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
        .join('&');
      const headerValues: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers ?? {})) {
        const text = typeof v === 'object' ? JSON.stringify(v) : String(v);
        // Header values are Latin-1 without control characters on the wire; anything else cannot even be sent.
        if (/^[\t\x20-\x7e\x80-\xff]*$/.test(text)) headerValues[k] = text;
      }
      if (payload !== undefined) headerValues['content-type'] = 'application/json';
      return { method: method.toUpperCase(), url: search ? `${url}?${search}` : url, headers: headerValues, ...(payload !== undefined ? { payload } : {}) };
    });
  }
}

/** encodeURIComponent, with unpaired surrogates (which it refuses) sent as their replacement character. */
function encodeComponent(text: string): string {
  return encodeURIComponent(text.replace(/\p{Cs}/gu, '\ufffd'));
}

const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat [\w$.<>]+ \(?[^\s()]+:\d+:\d+\)?/],
  ['a source path', /node_modules|\/src\/[\w/-]+\.ts|\.ts:\d+/],
  ['a framework code', /\bFST_[A-Z_]+/],
  ['a database message', /syntax error at or near|violates [a-z-]+ constraint|invalid input (syntax|value)|out of range for type|duplicate key value|SQLSTATE|relation "|column "|unterminated quoted/i],
  ['an internal error class', /\b(TypeError|RangeError|ReferenceError|SyntaxError|DatabaseError|error: )/],
];

/** What in an error body gives away internals, if anything. */
export function leakIn(body: string, cwd: string = process.cwd()): string | undefined {
  if (body.includes(cwd)) return 'the server directory';
  return LEAKS.find(([, pattern]) => pattern.test(body))?.[0];
}
