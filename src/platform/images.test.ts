import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImageStore } from './images.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-images-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('ImageStore', () => {
  const store = new ImageStore(dataDir);
  const bytes = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>');
  const sha = createHash('sha256').update(bytes).digest('hex');

  it('names a stored image by the SHA-256 of its bytes', async () => {
    expect(await store.storeImage(bytes, 'svg')).toBe(`/img/${sha}.svg`);
    expect(fs.readFileSync(path.join(dataDir, 'img', `${sha}.svg`))).toEqual(bytes);
  });

  it('writes the same bytes only once', async () => {
    const file = path.join(dataDir, 'img', `${sha}.svg`);
    await store.storeImage(bytes, 'svg');
    fs.utimesSync(file, new Date(0), new Date(0));
    expect(await store.storeImage(bytes, '.SVG')).toBe(`/img/${sha}.svg`);
    expect(fs.statSync(file).mtimeMs).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'img')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses unknown extensions', async () => {
    await expect(store.storeImage(bytes, 'html')).rejects.toMatchObject({ code: 'unsupported_image_type' });
    await expect(store.storeImage(bytes, 'svg/../x')).rejects.toMatchObject({ code: 'unsupported_image_type' });
  });

  it('finds stored files and nothing outside the naming scheme', async () => {
    const found = await store.findImage(`${sha}.svg`);
    expect(found).toMatchObject({ contentType: 'image/svg+xml', size: bytes.length, hash: sha });
    expect(await store.findImage(`${'0'.repeat(64)}.svg`)).toBeUndefined();
    expect(await store.findImage(`${sha}.png`)).toBeUndefined();
    expect(await store.findImage(`../img/${sha}.svg`)).toBeUndefined();
    expect(await store.findImage(`${sha.toUpperCase()}.svg`)).toBeUndefined();
    expect(await store.findImage(`${sha}.svg/`)).toBeUndefined();
  });
});
