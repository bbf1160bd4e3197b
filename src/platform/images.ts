import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from './errors.ts';

/** Image formats the store accepts, with the content type each is served as. */
export const IMAGE_CONTENT_TYPES = {
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
} as const;

export type ImageExtension = keyof typeof IMAGE_CONTENT_TYPES;

/** The only file names the store hands out and serves: a SHA-256 in lower-case hex and a known extension. */
export const IMAGE_FILE_PATTERN = /^[a-f0-9]{64}\.(svg|png|jpg|webp)$/;

/** URL prefix of stored images; the HTTP layer serves `${IMAGE_URL_PREFIX}<file>`. */
export const IMAGE_URL_PREFIX = '/img/';

export interface StoredImageFile {
  path: string;
  size: number;
  contentType: string;
  /** The SHA-256 of the content, usable as a strong ETag. */
  hash: string;
}

const isImageExtension = (ext: string): ext is ImageExtension => Object.hasOwn(IMAGE_CONTENT_TYPES, ext);

/**
 * Content-addressed image files under `<dataDir>/img/`. A file's name is the SHA-256 of its
 * bytes, so a URL never changes meaning and can be cached forever; storing the same bytes twice
 * writes nothing. Files are never modified or deleted by the store.
 *
 * Error codes: `unsupported_image_type` (400) for an extension outside {@link IMAGE_CONTENT_TYPES}.
 */
export class ImageStore {
  readonly directory: string;

  constructor(dataDir: string) {
    this.directory = path.join(dataDir, 'img');
  }

  /** Stores the bytes (once) and returns their URL path, `/img/<sha256>.<ext>`. */
  async storeImage(bytes: Uint8Array, ext: string): Promise<string> {
    const extension = ext.toLowerCase().replace(/^\./, '');
    if (!isImageExtension(extension)) {
      throw invalid('unsupported_image_type', `Images must be one of ${Object.keys(IMAGE_CONTENT_TYPES).join(', ')}`, { ext });
    }
    const file = `${createHash('sha256').update(bytes).digest('hex')}.${extension}`;
    const target = path.join(this.directory, file);
    if (!fs.existsSync(target)) {
      await fs.promises.mkdir(this.directory, { recursive: true });
      // Write beside the target and rename, so a reader never sees a half-written file under its final name.
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(temporary, bytes);
      await fs.promises.rename(temporary, target);
    }
    return `${IMAGE_URL_PREFIX}${file}`;
  }

  /** The stored file behind a file name, or undefined if the name is malformed or nothing is stored under it. */
  async findImage(file: string): Promise<StoredImageFile | undefined> {
    const match = IMAGE_FILE_PATTERN.exec(file);
    if (!match) return undefined;
    const filePath = path.join(this.directory, file);
    try {
      const stat = await fs.promises.stat(filePath);
      if (!stat.isFile()) return undefined;
      return { path: filePath, size: stat.size, contentType: IMAGE_CONTENT_TYPES[match[1] as ImageExtension], hash: file.slice(0, 64) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
