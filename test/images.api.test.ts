import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageStore } from '../src/platform/images.ts';
import { createTestApp, errorCode, type TestApp } from './helpers/app.ts';

describe('GET /img/:file', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-img-api-'));
  let t: TestApp;
  let svgUrl: string;
  let pngUrl: string;
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

  beforeAll(async () => {
    t = await createTestApp('pglite', { DATA_DIR: dataDir });
    const store = new ImageStore(dataDir);
    svgUrl = await store.storeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><text>hi</text></svg>'), 'svg');
    pngUrl = await store.storeImage(png, 'png');
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves a stored image with its content type, cacheable forever', async () => {
    const response = await t.app.inject({ method: 'GET', url: svgUrl });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('image/svg+xml');
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.body).toContain('<text>hi</text>');
    const binary = await t.app.inject({ method: 'GET', url: pngUrl });
    expect(binary.headers['content-type']).toBe('image/png');
    expect(binary.rawPayload).toEqual(png);
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await t.app.inject({ method: 'GET', url: svgUrl });
    const again = await t.app.inject({ method: 'GET', url: svgUrl, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers an unknown image with 404 image_not_found', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/img/${'a'.repeat(64)}.svg` });
    expect(response.statusCode).toBe(404);
    expect(errorCode(response)).toBe('image_not_found');
  });

  it('refuses names outside <sha256>.<ext> before touching the disk', async () => {
    fs.writeFileSync(path.join(dataDir, 'secret.txt'), 'do not serve');
    for (const url of [
      '/img/secret.txt',
      '/img/..%2Fsecret.txt',
      `/img/${'a'.repeat(64)}.html`,
      `/img/${'A'.repeat(64)}.svg`,
      `/img/${'a'.repeat(63)}.svg`,
      `/img/%2e%2e%2f${'a'.repeat(58)}.svg`,
    ]) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(400);
      expect(errorCode(response)).toBe('validation_failed');
    }
    const traversal = await t.app.inject({ method: 'GET', url: '/img/../secret.txt' });
    expect(traversal.statusCode).toBe(404);
    expect(traversal.body).not.toContain('do not serve');
  });
});
