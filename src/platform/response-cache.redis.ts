import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SharedResponseStore, StoreSnapshot, StoredResponse } from './response-cache.ts';

/**
 * Stores one entry and indexes it under its tags, unless the version of a snapshotted tag
 * moved since the render began (an invalidation raced the render).
 * KEYS: entry, m tag sets, k tag versions. ARGV: value, ttl ms, m, k, k expected versions.
 */
const PUT = `
local m = tonumber(ARGV[3])
local k = tonumber(ARGV[4])
for i = 1, k do
  local v = redis.call('GET', KEYS[1 + m + i]) or '0'
  if v ~= ARGV[4 + i] then return 0 end
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 1, m do
  redis.call('SADD', KEYS[1 + i], KEYS[1])
  if redis.call('PTTL', KEYS[1 + i]) < ttl then redis.call('PEXPIRE', KEYS[1 + i], ttl) end
end
return 1
`;

/**
 * Deletes every entry indexed under the tags, the indexes, and moves each tag's version.
 * KEYS: n tag sets, n tag versions. ARGV: n, version ttl ms.
 */
const INVALIDATE = `
local n = tonumber(ARGV[1])
local deleted = 0
for i = 1, n do
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    deleted = deleted + redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
  redis.call('INCR', KEYS[n + i])
  redis.call('PEXPIRE', KEYS[n + i], ARGV[2])
end
return deleted
`;

/** A version only has to outlive the longest render that might race it. */
const VERSION_TTL_MS = 3_600_000;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/**
 * The shared level of the response cache on Redis: `<prefix>rc:e:<key>` holds an entry
 * (a length-prefixed JSON head, then the body bytes), `<prefix>rc:t:<tag>` the set of entry
 * keys carrying a tag, `<prefix>rc:v:<tag>` the tag's invalidation version. The scripts touch
 * keys they are not given, so this needs one Redis (or a Redis Cluster with all of them in one
 * hash slot), not a sharded cluster.
 */
export class RedisResponseStore implements SharedResponseStore {
  readonly kind = 'redis';
  private readonly scripts = { put: { source: PUT, sha: sha1(PUT) }, invalidate: { source: INVALIDATE, sha: sha1(INVALIDATE) } };

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<StoredResponse | undefined> {
    const raw = await this.redis.getBuffer(this.entryKey(key));
    return raw ? decode(raw) : undefined;
  }

  async snapshot(tags: readonly string[]): Promise<StoreSnapshot> {
    if (tags.length === 0) return { tags: [], versions: [] };
    const versions = await this.redis.mget(...tags.map((t) => this.versionKey(t)));
    return { tags: [...tags], versions: versions.map((v) => v ?? '0') };
  }

  async put(response: StoredResponse, snapshot: StoreSnapshot, ttlMs: number): Promise<boolean> {
    const ttl = Math.ceil(ttlMs);
    if (ttl <= 0) return false;
    const keys = [this.entryKey(response.key), ...response.tags.map((t) => this.tagKey(t)), ...snapshot.tags.map((t) => this.versionKey(t))];
    const args = [encode(response), String(ttl), String(response.tags.length), String(snapshot.tags.length), ...snapshot.versions];
    return (await this.run('put', keys, args)) === 1;
  }

  async invalidate(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    const keys = [...tags.map((t) => this.tagKey(t)), ...tags.map((t) => this.versionKey(t))];
    return Number(await this.run('invalidate', keys, [String(tags.length), String(VERSION_TTL_MS)]));
  }

  private async run(name: keyof RedisResponseStore['scripts'], keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    const script = this.scripts[name];
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return this.redis.eval(script.source, keys.length, ...keys, ...args);
    }
  }

  private entryKey(key: string): string {
    return `${this.prefix}rc:e:${key}`;
  }

  private tagKey(tag: string): string {
    return `${this.prefix}rc:t:${tag}`;
  }

  private versionKey(tag: string): string {
    return `${this.prefix}rc:v:${tag}`;
  }
}

interface Head {
  k: string;
  s: number;
  c: string;
  e: string;
  h: Record<string, string>;
  t: string[];
  a: number;
  f: number;
  st: number;
  kp: number;
}

export function encode(r: StoredResponse): Buffer {
  const head: Head = { k: r.key, s: r.status, c: r.contentType, e: r.etag, h: r.headers, t: r.tags, a: r.storedAt, f: r.freshUntil, st: r.staleUntil, kp: r.keepUntil };
  const json = Buffer.from(JSON.stringify(head));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, r.body]);
}

/** Undefined for bytes this version did not write (another version's format): a miss. */
export function decode(raw: Buffer): StoredResponse | undefined {
  if (raw.length < 4) return undefined;
  const length = raw.readUInt32BE(0);
  if (4 + length > raw.length) return undefined;
  let head: Head;
  try {
    head = JSON.parse(raw.subarray(4, 4 + length).toString('utf8')) as Head;
  } catch {
    return undefined;
  }
  if (typeof head.k !== 'string' || typeof head.s !== 'number' || !Array.isArray(head.t)) return undefined;
  return {
    key: head.k,
    status: head.s,
    contentType: head.c,
    etag: head.e,
    headers: head.h,
    tags: head.t,
    storedAt: head.a,
    freshUntil: head.f,
    staleUntil: head.st,
    keepUntil: head.kp,
    body: Buffer.from(raw.subarray(4 + length)),
  };
}
