import fs from 'node:fs';
import { Type } from 'typebox';
import { notFound } from '../../platform/errors.ts';
import { ImageStore, IMAGE_FILE_PATTERN, type StoredImageFile } from '../../platform/images.ts';
import { ImageVariants, VARIANT_FILE_PATTERN, VARIANT_WIDTHS } from '../../platform/image-variants.ts';
import { responses } from '../schemas/common.ts';
import type { RoutesPlugin } from '../types.ts';

// A year, the longest lifetime caches honour; the content behind a hash never changes.
const IMMUTABLE = 'public, max-age=31536000, immutable';
// SVG can carry script: served images must never run any, even when opened directly.
const IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

function sendImage(request: { headers: Record<string, unknown> }, reply: import('fastify').FastifyReply, image: StoredImageFile, etag: string) {
  reply
    .header('cache-control', IMMUTABLE)
    .header('etag', etag)
    .header('content-security-policy', IMAGE_CSP)
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.status(304).send();
  reply.header('content-type', image.contentType).header('content-length', image.size);
  return reply.send(fs.createReadStream(image.path));
}

export const imageRoutes: RoutesPlugin = (ctx) => async (app) => {
  const store = new ImageStore(ctx.config.dataDir);
  const variants = new ImageVariants(store);

  app.get(
    '/img/w:width/:file',
    {
      schema: {
        tags: ['images'],
        operationId: 'getImageVariant',
        summary: 'A stored image resized to one of the offered widths, as WebP; cacheable forever',
        params: Type.Object({
          width: Type.Integer({ minimum: 1, maximum: 10_000, description: `One of ${VARIANT_WIDTHS.join(', ')}; any other is 404` }),
          file: Type.String({ pattern: VARIANT_FILE_PATTERN.source, description: '<sha256>.<svg|png|jpg|webp>.webp' }),
        }),
        response: responses({ 200: Type.String({ format: 'binary' }), 304: Type.Null() }, { 404: ['image_not_found'] }),
      },
    },
    async (request, reply) => {
      const image = await variants.findVariant(request.params.file, request.params.width);
      if (!image) throw notFound('image', request.params.file);
      return sendImage(request, reply, image, `"w${request.params.width}-${request.params.file.slice(0, 64)}"`);
    },
  );

  app.get(
    '/img/:file',
    {
      schema: {
        tags: ['images'],
        operationId: 'getImage',
        summary: 'A stored product image by its content hash; cacheable forever',
        params: Type.Object({
          file: Type.String({ pattern: IMAGE_FILE_PATTERN.source, description: '<sha256>.<svg|png|jpg|webp>' }),
        }),
        response: responses({ 200: Type.String({ format: 'binary' }), 304: Type.Null() }, { 404: ['image_not_found'] }),
      },
    },
    async (request, reply) => {
      const image = await store.findImage(request.params.file);
      if (!image) throw notFound('image', request.params.file);
      return sendImage(request, reply, image, `"${image.hash}"`);
    },
  );
};
