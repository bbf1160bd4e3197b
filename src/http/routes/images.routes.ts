import fs from 'node:fs';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { ImageStore, IMAGE_FILE_PATTERN } from '../../platform/images.ts';
import { responses } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

// A year, the longest lifetime caches honour; the content behind a hash never changes.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// SVG can carry script: served images must never run any, even when opened directly.
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export const imageRoutes: RoutesPlugin = (ctx) => async (app) => {
  const store = new ImageStore(ctx.config.dataDir);

  app.get(
    '/img/:file',
    {
      schema: {
        tags: ['images'],
        summary: 'A stored product image by its content hash; cacheable forever',
        params: Type.Object({
          file: Type.String({ pattern: IMAGE_FILE_PATTERN.source, description: '<sha256>.<svg|png|jpg|webp>' }),
        }),
        response: responses({ 200: Type.String({ format: 'binary' }), 304: Type.Null() }, [404]),
      },
    },
    async (request, reply) => {
      const image = await store.findImage(request.params.file);
      if (!image) throw new AppError('image_not_found', 'not_found', `No image ${request.params.file}`);
      const etag = `"${image.hash}"`;
      reply
        .header('cache-control', IMMUTABLE)
        .header('etag', etag)
        .header('content-security-policy', IMAGE_CSP)
        .header('x-content-type-options', 'nosniff');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      reply.header('content-type', image.contentType).header('content-length', image.size);
      return reply.send(fs.createReadStream(image.path));
    },
  );
};
