import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { AppError } from '../../platform/errors.ts';
import { ImageStore, type ImageExtension } from '../../platform/images.ts';
import type { Web } from '../context.ts';
import { verifyCsrf } from '../csrf.ts';
import { errorsFromAppError, FORM_LEVEL, type FieldErrors } from '../forms.ts';
import { resolveWebSession } from '../session.ts';
import type { Staff } from './access.ts';

/** An upload is one product photo: anything bigger is refused before it is read. */
export const IMAGE_UPLOAD_LIMIT = 5 * 1024 * 1024;

/** What the image's own bytes say it is (never the file name or the browser's claim). */
const EXTENSION_OF: Record<string, ImageExtension> = { png: 'png', jpeg: 'jpg', webp: 'webp', svg: 'svg' };

interface UploadBody {
  [field: string]: unknown;
  image?: Blob;
}

/**
 * A multipart form as text fields plus the file, parsed by Node's own WHATWG `Response.formData()`
 * (no extra dependency); only this route's scope accepts multipart bodies.
 */
async function parseMultipart(contentType: string, body: Buffer): Promise<UploadBody> {
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(body)]), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new AppError('malformed_form', 'invalid', 'The uploaded form could not be read');
  }
  const fields: UploadBody = {};
  form.forEach((value, key) => {
    if (typeof value === 'string') fields[key] ??= value;
    else if (key === 'image') fields.image = value;
  });
  return fields;
}

async function imageExtension(bytes: Buffer): Promise<ImageExtension> {
  const metadata = await sharp(bytes, { limitInputPixels: 50_000_000 })
    .metadata()
    .catch(() => undefined);
  const ext = metadata?.format ? EXTENSION_OF[metadata.format] : undefined;
  if (!ext) throw new AppError('unsupported_image_type', 'invalid', 'Upload a PNG, JPEG, WebP or SVG image');
  return ext;
}

interface UploadDeps {
  gate(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Staff | undefined>;
  render(request: FastifyRequest, reply: FastifyReply, staff: Staff, productId: string, errors: FieldErrors): Promise<FastifyReply>;
}

/** POST /admin/products/:id/images: stores the photo in the content-addressed image store and appends it to the product. */
export function registerImageUpload(app: FastifyInstance, web: Web, deps: UploadDeps): void {
  const store = new ImageStore(web.ctx.config.dataDir);
  const session = resolveWebSession(web.services.identity);
  void app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: IMAGE_UPLOAD_LIMIT }, async (request: FastifyRequest, body: Buffer) =>
      parseMultipart(String(request.headers['content-type']), body),
    );
    scope.post<{ Params: { id: string } }>('/admin/products/:id/images', { bodyLimit: IMAGE_UPLOAD_LIMIT, preHandler: [verifyCsrf, session] }, async (request, reply) => {
      const staff = await deps.gate(request, reply);
      if (!staff) return reply;
      const id = request.params.id;
      const file = (request.body as UploadBody | undefined)?.image;
      if (!file || file.size === 0) return deps.render(request, reply, staff, id, { [FORM_LEVEL]: 'Choose an image file to upload.' });
      try {
        const bytes = Buffer.from(await file.arrayBuffer());
        const url = await store.storeImage(bytes, await imageExtension(bytes));
        const product = await web.services.catalog.getProduct(id);
        if (!product.images.includes(url)) await web.services.catalog.updateProduct(staff.principal, id, { images: [...product.images, url] });
      } catch (error) {
        return deps.render(request, reply, staff, id, errorsFromAppError(error));
      }
      return reply.redirect(`/admin/products/${id}?done=image`, 303);
    });
  });
}
