/**
 * The fault matrix's embedded-mode row: `bazaar all` on PGlite with its data on a small
 * tmpfs of its own, which is then filled to the last byte (and afterwards remounted
 * read-only). Writes must fail with a clear answer (never a 500, never a hung request), reads
 * go on, and after freeing the space and restarting, everything acknowledged before is there.
 * Needs root (for the mount); without it the row is reported as not run.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, type Answer } from './load.ts';
import { freePort, managed, tempDir, waitUntil } from './servers.ts';
import { ROOT } from './topology.ts';

const run = promisify(execFile);

export interface EmbeddedRow {
  fault: string;
  expected: string;
  note: string;
  answers: string;
  problems: string[];
}

const FAULT = 'disk full, then read-only, under the embedded database';
const EXPECTED = 'clear error, no corruption after restart (embedded mode)';

async function fill(dir: string): Promise<void> {
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const block = Buffer.alloc(1 << 20, 1);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch {
    // ENOSPC: full. Fill the last partial block byte by byte.
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
    } catch {
      // full to the byte
    }
  } finally {
    fs.closeSync(fd);
  }
}

export async function runEmbeddedDiskRow(say: (text: string) => void): Promise<EmbeddedRow> {
  if (process.getuid?.() !== 0) return { fault: FAULT, expected: EXPECTED, note: 'not run: mounting a small tmpfs needs root', answers: '—', problems: [] };
  const root = tempDir('bazaar-embedded-');
  const mount = path.join(root, 'disk');
  fs.mkdirSync(mount);
  await run('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount]);
  const port = await freePort();
  const shop = managed({
    name: 'bazaar-embedded',
    port,
    command: process.execPath,
    args: [path.join(ROOT, 'bin', 'bazaar.js'), 'all'],
    cwd: ROOT,
    env: { PORT: String(port), DATA_DIR: mount, DEMO_SEED_PRODUCTS: '12', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '100000' },
    ready: (s) => waitUntil('embedded shop ready', async () => (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200, 180_000, s),
  });
  const client = new Client(`http://127.0.0.1:${port}`);
  const problems: string[] = [];
  const answers: Record<string, number> = {};
  const tally = (phase: string, answer: Answer | Error) => {
    const key = answer instanceof Error ? `${phase} network:${answer.name}` : `${phase} ${answer.status}${answer.body?.error?.code ? `:${answer.body.error.code}` : ''}`;
    answers[key] = (answers[key] ?? 0) + 1;
    if (!(answer instanceof Error) && answer.status === 500) problems.push(`${phase}: a write answered 500`);
  };
  const register = (email: string) => client.call('POST', '/v1/auth/register', { body: { email, password: 'correct horse battery', name: 'Disk Test' }, timeoutMs: 15_000 });
  try {
    say('  embedded: starting bazaar all on a 160 MB tmpfs');
    await shop.start();
    const acknowledged: string[] = [];
    const before = await register('before-fill@example.com');
    if (before.status === 201) acknowledged.push('before-fill@example.com');
    else problems.push(`registration before the fault answered ${before.status}`);
    const productsBefore = (await client.call('GET', '/v1/products?limit=100')).body.products?.length ?? 0;
    say('  embedded: filling the disk, then writing');
    await fill(mount);
    for (let i = 0; i < 20; i++) {
      const email = `full-${i}@example.com`;
      const answer = await register(email).catch((e: Error) => e);
      tally('full', answer);
      if (!(answer instanceof Error) && answer.status === 201) acknowledged.push(email);
    }
    tally('full read', await client.call('GET', '/v1/products?limit=5').catch((e: Error) => e));
    const stopped = Date.now();
    await shop.stop('SIGTERM', 30_000);
    const stopSeconds = ((Date.now() - stopped) / 1000).toFixed(0);
    const exit = `${shop.child?.exitCode ?? shop.child?.signalCode}`;
    fs.rmSync(path.join(mount, 'filler'));
    say('  embedded: restart with the space back; every acknowledged write must be there');
    await shop.start();
    const verify = async (phase: string) => {
      for (const email of acknowledged) {
        const login = await client.call('POST', '/v1/auth/login', { body: { email, password: 'correct horse battery' } });
        if (login.status !== 200) problems.push(`${phase}: acknowledged account ${email} cannot sign in (${login.status})`);
      }
      const products = (await client.call('GET', '/v1/products?limit=100')).body.products?.length ?? 0;
      if (products !== productsBefore) problems.push(`${phase}: products before ${productsBefore}, now ${products}`);
    };
    await verify('after the full disk');
    say('  embedded: restart on a read-only disk');
    await shop.stop('SIGTERM', 30_000);
    await run('mount', ['-o', 'remount,ro', mount]);
    let readOnly: string;
    try {
      await shop.start();
      const write = await register('read-only@example.com').catch((e: Error) => e);
      tally('read-only', write);
      readOnly = 'started on the read-only disk';
      await shop.stop('SIGTERM', 30_000);
    } catch {
      const refusal = shop.output().split('\n').map((l) => l.trim()).filter((l) => /read-only|EROFS|permission|cannot|refus/i.test(l)).slice(-1)[0] ?? shop.output().trim().split('\n').slice(-1)[0] ?? '';
      readOnly = `refused to start: "${refusal.slice(0, 160).replaceAll('|', '/')}"`;
      await shop.stop('SIGKILL');
    }
    await run('mount', ['-o', 'remount,rw', mount]);
    await shop.start();
    await verify('after the read-only disk');
    const after = await register('after-restart@example.com');
    if (after.status !== 201) problems.push(`registration after restart answered ${after.status}`);
    return {
      fault: FAULT,
      expected: EXPECTED,
      note:
        `160 MB tmpfs filled to the byte; ${acknowledged.length - 1} of 20 sign-ups acknowledged on the full disk; SIGTERM took ${stopSeconds} s (exit ${exit}); ` +
        `restarted with space: all ${acknowledged.length} acknowledged accounts and ${productsBefore} products there; on a read-only disk the shop ${readOnly}; writable again: writes accepted`,
      answers: Object.entries(answers).map(([k, v]) => `${k} ×${v}`).join(', '),
      problems,
    };
  } catch (error) {
    problems.push(`aborted: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return { fault: FAULT, expected: EXPECTED, note: `did not complete; last output: ${shop.output().slice(-300).replaceAll('\n', ' ').replaceAll('|', '/')}`, answers: Object.entries(answers).map(([k, v]) => `${k} ×${v}`).join(', ') || '—', problems };
  } finally {
    await shop.stop('SIGKILL').catch(() => undefined);
    await run('mount', ['-o', 'remount,rw', mount]).catch(() => undefined);
    await run('umount', [mount]).catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
}
