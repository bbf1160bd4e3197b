import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ImageStore, StoredImageFile } from './images.ts';

/** Widths a variant may have: a fixed set, so nobody can make the server render every size. */
export const VARIANT_WIDTHS = [160, 320, 480, 640, 960] as const;
export type VariantWidth = (typeof VARIANT_WIDTHS)[number];

/** `<sha256>.<ext>.webp`: the original's file name, then the variant's format. */
export const VARIANT_FILE_PATTERN = /^([a-f0-9]{64}\.(?:svg|png|jpg|webp))\.webp$/;

const MAX_INPUT_PIXELS = 50_000_000;
/** Resizing is CPU work: at most this many at once per process, the rest wait. */
const MAX_CONCURRENT = 2;

export const isVariantWidth = (width: number): width is VariantWidth => (VARIANT_WIDTHS as readonly number[]).includes(width);

/**
 * Resized WebP copies of stored images (thumbnails, product page sizes), made with sharp on
 * first request and kept beside the originals under `<dataDir>/img/w<width>/`. Like the
 * originals they never change, so they are cached forever. Concurrent requests for the same
 * variant share one resize.
 */
export class ImageVariants {
  private readonly inFlight = new Map<string, Promise<StoredImageFile | undefined>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly store: ImageStore) {}

  async findVariant(file: string, width: number): Promise<StoredImageFile | undefined> {
    const match = VARIANT_FILE_PATTERN.exec(file);
    if (!match || !isVariantWidth(width)) return undefined;
    const target = path.join(this.store.directory, `w${width}`, file);
    const existing = await statFile(target);
    if (existing) return existing;
    let pending = this.inFlight.get(target);
    if (!pending) {
      pending = this.render(match[1]!, width, target).finally(() => this.inFlight.delete(target));
      this.inFlight.set(target, pending);
    }
    return pending;
  }

  private async render(originalFile: string, width: VariantWidth, target: string): Promise<StoredImageFile | undefined> {
    const original = await this.store.findImage(originalFile);
    if (!original) return undefined;
    await this.acquire();
    try {
      // Vector originals are rasterised at a density that gives enough pixels for the width.
      const input = originalFile.endsWith('.svg') ? sharp(original.path, { density: 192, limitInputPixels: MAX_INPUT_PIXELS }) : sharp(original.path, { limitInputPixels: MAX_INPUT_PIXELS });
      const bytes = await input.rotate().resize({ width, withoutEnlargement: !originalFile.endsWith('.svg') }).webp({ quality: 78 }).toBuffer();
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      await fs.promises.writeFile(temporary, bytes);
      await fs.promises.rename(temporary, target);
      return { path: target, size: bytes.length, contentType: 'image/webp', hash: `${originalFile}-w${width}` };
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.running < MAX_CONCURRENT) {
      this.running += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.();
  }
}

async function statFile(file: string): Promise<StoredImageFile | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    return stat.isFile() ? { path: file, size: stat.size, contentType: 'image/webp', hash: path.basename(file) } : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
