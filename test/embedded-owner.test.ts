import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireOwnerLock, DatabaseInUseError, describeThisProcess, ownerPaths } from '../src/platform/embedded-owner.ts';
import { initializedDataDir } from './helpers/databases.ts';
import { freePort, runBazaar, spawnBazaar, stopProcess, type BazaarProcess } from './helpers/processes.ts';

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-owner-'));

describe('the embedded database lock', () => {
  it('lets one holder in, refuses a second with what to do, and frees on release', () => {
    const dir = path.join(tempDir(), 'pglite');
    const lock = acquireOwnerLock(dir, 'all');
    try {
      const refusal = (() => {
        try {
          acquireOwnerLock(dir, 'serve');
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(DatabaseInUseError);
      expect((refusal as DatabaseInUseError).message).toMatch(/in use by process \d+ \("bazaar all"/);
      expect((refusal as DatabaseInUseError).message).toContain('Stop that process first');
      expect(fs.statSync(ownerPaths(dir).dir).mode & 0o777).toBe(0o700);
    } finally {
      lock.release();
    }
    acquireOwnerLock(dir, 'serve').release();
  });

  it('takes over the lock of a process that died, and of a reused pid', () => {
    const dir = path.join(tempDir(), 'pglite');
    const paths = ownerPaths(dir);
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    fs.writeFileSync(paths.lock, JSON.stringify({ ...describeThisProcess('all'), pid: Number(dead) }));
    acquireOwnerLock(dir, 'serve').release();
    // Our own pid, but a different start time: the pid was reused after the owner died (a restarted container).
    const me = describeThisProcess('all');
    fs.writeFileSync(paths.lock, JSON.stringify({ ...me, startTicks: (me.startTicks ?? 0) + 1 }));
    if (me.startTicks !== undefined) acquireOwnerLock(dir, 'serve').release();
  });

  it('never takes over a lock held from another host', () => {
    const dir = path.join(tempDir(), 'pglite');
    const paths = ownerPaths(dir);
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(paths.lock, JSON.stringify({ ...describeThisProcess('all'), hostname: 'elsewhere.example' }));
    expect(() => acquireOwnerLock(dir, 'serve')).toThrow(/If elsewhere.example no longer runs Bazaar, delete/);
  });
});

describe('admin CLI commands while the shop runs on the embedded database', () => {
  let dir: string;
  let env: Record<string, string>;
  let shop: BazaarProcess | undefined;
  const base = () => `http://127.0.0.1:${env.PORT}`;
  const login = (email: string, password: string) =>
    fetch(`${base()}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }), signal: AbortSignal.timeout(30_000) });
  const productCount = async () => ((await (await fetch(`${base()}/v1/products?limit=100`, { signal: AbortSignal.timeout(30_000) })).json()) as { products: unknown[] }).products.length;
  const start = async () => {
    shop = spawnBazaar(['all'], env);
    await shop.waitFor('Press Ctrl+C to stop.', 200_000);
  };

  beforeAll(async () => {
    dir = tempDir();
    await initializedDataDir(path.join(dir, 'pglite'));
    env = { DATA_DIR: dir, PGLITE_PATH: path.join(dir, 'pglite'), PORT: String(await freePort()), DEMO_SEED_PRODUCTS: '0', LOG_LEVEL: 'warn', SEARCH_FACET_CACHE_SECONDS: '0' };
  }, 240_000);
  afterAll(async () => {
    if (shop) await stopProcess(shop, 'SIGTERM', 20_000);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs each command inside the running process, refuses a second server, and keeps everything across a restart', { timeout: 480_000 }, async () => {
    await start();
    const admin = await runBazaar(['admin', 'create', '--email', 'boss@example.com', '--password', 'boss password 1'], env);
    expect(admin, admin.output).toMatchObject({ code: 0 });
    expect(admin.output).toContain('Admin boss@example.com');
    expect((await login('boss@example.com', 'boss password 1')).status).toBe(200);

    const seeded = await runBazaar(['seed', '--products', '12'], env);
    expect(seeded.code, seeded.output).toBe(0);
    expect(seeded.output).toMatch(/Seeding 12 products.*done/s);
    expect(await productCount()).toBe(12);

    const reindexed = await runBazaar(['search', 'reindex'], env);
    expect(reindexed.code, reindexed.output).toBe(0);
    expect(reindexed.output).toContain('Indexed 12 products');
    const replayed = await runBazaar(['events', 'replay', '--since', '2000-01-01T00:00:00Z'], env);
    expect(replayed.code, replayed.output).toBe(0);
    expect(replayed.output).toMatch(/Re-delivered \d+ events/);
    const migrated = await runBazaar(['migrate'], env);
    expect(migrated.code, migrated.output).toBe(0);
    expect(migrated.output).toContain('embedded: up to date');
    // A refused command reports its own error, from inside the owner.
    const bad = await runBazaar(['admin', 'create', '--email', 'not-an-email', '--password', 'boss password 1'], env);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('invalid_option');

    const second = await runBazaar(['serve'], { ...env, PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.output).toContain('database_in_use');
    expect(second.output).toContain('Stop that process first');

    expect((await stopProcess(shop!, 'SIGTERM', 20_000)).code).toBe(0);
    await start();
    expect((await login('boss@example.com', 'boss password 1')).status).toBe(200);
    expect(await productCount()).toBe(12);

    // A shop killed outright leaves its lock behind; the next process takes it over.
    shop!.child.kill('SIGKILL');
    await shop!.exited;
    shop = undefined;
    const afterCrash = await runBazaar(['admin', 'create', '--email', 'night@example.com', '--password', 'night password 1'], env);
    expect(afterCrash.code, afterCrash.output).toBe(0);
    await start();
    expect((await login('night@example.com', 'night password 1')).status).toBe(200);
  });
});
