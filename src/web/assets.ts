import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A year: the content behind a hashed name never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  /** Source name, e.g. `enhance.js`. */
  name: string;
  /** Served name with the content hash, e.g. `enhance.3f2a9c1d0b.js`. */
  hashedName: string;
  url: string;
  contentType: string;
  raw: Buffer;
  gzip: Buffer;
  brotli: Buffer;
}

/**
 * The storefront's static files (`src/web/assets/`), served as `/assets/<name>.<hash>.<ext>`:
 * a changed file gets a new URL, so every URL can be cached forever. Files are read and
 * compressed (gzip and brotli) once, when the registry is built.
 */
export class AssetRegistry {
  private readonly byName = new Map<string, Asset>();
  private readonly byHashedName = new Map<string, Asset>();

  constructor(directory: string = path.join(import.meta.dirname, 'assets')) {
    for (const file of fs.readdirSync(directory).sort()) {
      const ext = path.extname(file);
      const contentType = CONTENT_TYPES[ext];
      if (!contentType) continue;
      const raw = fs.readFileSync(path.join(directory, file));
      const hash = createHash('sha256').update(raw).digest('hex').slice(0, 12);
      const hashedName = `${path.basename(file, ext)}.${hash}${ext}`;
      const asset: Asset = {
        name: file,
        hashedName,
        url: `/assets/${hashedName}`,
        contentType,
        raw,
        gzip: gzipSync(raw, { level: 9 }),
        brotli: brotliCompressSync(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
      };
      this.byName.set(file, asset);
      this.byHashedName.set(hashedName, asset);
    }
  }

  /** The URL of a source file; throws for an unknown one so a typo fails at render time, in tests. */
  url(name: string): string {
    const asset = this.byName.get(name);
    if (!asset) throw new Error(`unknown asset ${name}`);
    return asset.url;
  }

  get(name: string): Asset | undefined {
    return this.byName.get(name);
  }

  findHashed(hashedName: string): Asset | undefined {
    return this.byHashedName.get(hashedName);
  }

  list(): Asset[] {
    return [...this.byName.values()];
  }
}

let shared: AssetRegistry | undefined;
/** The process's registry of the bundled assets (built on first use). */
export const assets = (): AssetRegistry => (shared ??= new AssetRegistry());

function preferredEncoding(request: FastifyRequest): 'br' | 'gzip' | undefined {
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  const etag = `"${asset.hashedName}"`;
  reply.header('cache-control', IMMUTABLE).header('etag', etag).header('vary', 'accept-encoding').header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  const encoding = preferredEncoding(request);
  const body = encoding === 'br' ? asset.brotli : encoding === 'gzip' ? asset.gzip : asset.raw;
  if (encoding) reply.header('content-encoding', encoding);
  return reply.type(asset.contentType).header('content-length', body.length).send(body);
}

export function registerAssetRoutes(app: FastifyInstance, registry: AssetRegistry): void {
  app.get<{ Params: { file: string } }>(
    '/assets/:file',
    { schema: { hide: true, params: { type: 'object', properties: { file: { type: 'string', maxLength: 200 } }, required: ['file'] } } },
    async (request, reply) => {
      const asset = registry.findHashed(request.params.file);
      if (!asset) return reply.callNotFound();
      return sendAsset(request, reply, asset);
    },
  );
}
