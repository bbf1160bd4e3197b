import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabases, initializedDataDir, type TestDatabases } from './helpers/databases.ts';
import { uniquePrefix } from './helpers/events.ts';
import { assertNatsReachable, deleteStream } from './helpers/lifecycle.ts';
import { answers, freePort, spawnBazaar, spawnProcess, stopProcess, type BazaarProcess } from './helpers/processes.ts';
import { assertRedisReachable } from './helpers/redis.ts';

/**
 * Every role, started as the CLI starts it, with every backend the environment offers, must exit
 * by itself soon after SIGTERM (no supervisor's SIGKILL), having drained: a client, pool,
 * listener or subscription left open keeps a process alive and shows up here.
 */
const ROLES = ['serve', 'worker', 'all'] as const;
const STOP_WITHIN_MS = 15_000;
// Starting processes on a loaded 2-core machine is slow; the bound that matters is STOP_WITHIN_MS.
const TEST_TIMEOUT_MS = 240_000;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function embeddedEnv(): Promise<Record<string, string>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-role-'));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  await initializedDataDir(path.join(dir, 'pglite'));
  return { DATA_DIR: dir, PGLITE_PATH: path.join(dir, 'pglite') };
}

/** PostgreSQL, and Redis and NATS when the environment has them: every backend configured. */
async function serverEnv(): Promise<Record<string, string>> {
  const databases: TestDatabases = await createTestDatabases('postgres', { split: false });
  cleanups.push(() => databases.close());
  const env: Record<string, string> = { DATABASE_URL: databases.urls!.main };
  if (process.env.TEST_REDIS_URL) {
    await assertRedisReachable(process.env.TEST_REDIS_URL);
    env.REDIS_URL = process.env.TEST_REDIS_URL;
    env.REDIS_KEY_PREFIX = `test:${uniquePrefix()}:`;
  }
  if (process.env.TEST_NATS_URL) {
    await assertNatsReachable();
    env.NATS_URL = process.env.TEST_NATS_URL;
    env.NATS_STREAM_PREFIX = uniquePrefix();
    cleanups.push(() => deleteStream(env.NATS_STREAM_PREFIX!));
  }
  return env;
}

const BACKENDS: { label: string; env: () => Promise<Record<string, string>> }[] = [
  { label: 'the embedded database', env: embeddedEnv },
  ...(process.env.TEST_DATABASE_URL
    ? [{ label: `PostgreSQL${process.env.TEST_REDIS_URL ? ', Redis' : ''}${process.env.TEST_NATS_URL ? ', NATS' : ''}`, env: serverEnv }]
    : []),
];

async function baseEnv(role: string) {
  return { LOG_LEVEL: 'info', PORT: String(await freePort()), ...(role !== 'worker' ? { METRICS_PORT: String(await freePort()) } : {}), DEMO_SEED_PRODUCTS: '0', EVENTS_POLL_INTERVAL_MS: '100' };
}

/** Uses what keeps a process alive if not closed: pooled connections, the rate limiter's Redis, idle keep-alive sockets. */
async function exercise(env: Record<string, string>): Promise<void> {
  const port = Number(env.PORT);
  const signal = () => AbortSignal.timeout(30_000);
  expect((await fetch(`http://127.0.0.1:${port}/v1/products`, { signal: signal() })).status).toBe(200);
  const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com', password: 'wrong password' }), signal: signal() });
  expect(login.status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`, { signal: signal() })).status).toBe(200);
}

function expectCleanExit(running: BazaarProcess, stopped: { ms: number; code: number | null; killed: boolean }) {
  const output = running.output();
  expect(stopped.killed, output.slice(-3000)).toBe(false);
  expect(stopped.code, output.slice(-3000)).toBe(0);
  expect(stopped.ms, output.slice(-3000)).toBeLessThan(STOP_WITHIN_MS);
  expect(output).toContain('shutdown complete');
  expect(output).not.toContain('left open');
  expect(output).not.toContain('second interrupt');
}

for (const backend of BACKENDS) {
  describe.concurrent(`every role on ${backend.label} exits by itself after SIGTERM`, () => {
    for (const role of ROLES) {
      it(`bazaar ${role}`, { timeout: TEST_TIMEOUT_MS }, async () => {
        const env = { ...(await baseEnv(role)), ...(await backend.env()) };
        const running = spawnBazaar([role], env);
        await running.waitFor('bazaar started', TEST_TIMEOUT_MS - 30_000);
        if (role !== 'worker') await exercise(env);
        expectCleanExit(running, await stopProcess(running, 'SIGTERM', STOP_WITHIN_MS + 5000));
        if (role !== 'worker') expect(await answers(Number(env.PORT))).toBe(false);
      });
    }
  });
}

describe.concurrent('npm start', () => {
  it('stops the shop when a supervisor sends SIGTERM to npm alone (a container runtime, systemd KillMode=mixed)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env = { ...(await baseEnv('all')), ...(await embeddedEnv()) };
    const npm = spawnProcess(['start'], env, 'npm');
    await npm.waitFor('bazaar started', TEST_TIMEOUT_MS - 30_000);
    await exercise(env);
    expectCleanExit(npm, await stopProcess(npm, 'SIGTERM', STOP_WITHIN_MS + 5000, 'process'));
    expect(await answers(Number(env.PORT))).toBe(false);
  });

  it('drains once when the whole process group is signalled (Ctrl+C, systemd), although node gets the signal twice', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env = { ...(await baseEnv('all')), ...(await embeddedEnv()) };
    const npm = spawnProcess(['start'], env, 'npm');
    await npm.waitFor('bazaar started', TEST_TIMEOUT_MS - 30_000);
    const stopped = await stopProcess(npm, 'SIGINT', STOP_WITHIN_MS + 5000, 'group');
    expect(stopped.killed, npm.output().slice(-3000)).toBe(false);
    expect(npm.output().match(/shutting down: draining/g)).toHaveLength(1);
    expect(npm.output()).toContain('shutdown complete');
    expect(npm.output()).not.toContain('second interrupt');
    expect(await answers(Number(env.PORT))).toBe(false);
  });
});

describe.concurrent('bazaar worker', () => {
  function expectOneCompleteDrain(running: BazaarProcess, stopped: { code: number | null; killed: boolean }) {
    const output = running.output();
    expect(stopped.killed, output.slice(-3000)).toBe(false);
    expect(stopped.code, output.slice(-3000)).toBe(0);
    expect(output.match(/shutting down: draining/g), output.slice(-3000)).toHaveLength(1);
    expect(output).toContain('shutdown complete');
    expect(output).not.toContain('second interrupt');
  }

  it('finishes its drain when SIGTERM arrives twice in quick succession (a supervisor and its echo)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env = { ...(await baseEnv('worker')), ...(await embeddedEnv()), WORKER_PORT: String(await freePort()) };
    const running = spawnBazaar(['worker'], env);
    await running.waitFor('bazaar started', TEST_TIMEOUT_MS - 30_000);
    expect((await fetch(`http://127.0.0.1:${env.WORKER_PORT}/readyz`)).status).toBe(200);
    process.kill(running.child.pid!, 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expectOneCompleteDrain(running, await stopProcess(running, 'SIGTERM', STOP_WITHIN_MS + 5000));
    expect(await answers(Number(env.WORKER_PORT))).toBe(false);
  });

  it('finishes its drain when `npm run bazaar -- worker` is stopped by signalling its process group (node gets the signal twice)', { timeout: TEST_TIMEOUT_MS }, async () => {
    const env = { ...(await baseEnv('worker')), ...(await embeddedEnv()) };
    const npm = spawnProcess(['run', 'bazaar', '--', 'worker'], env, 'npm');
    await npm.waitFor('bazaar started', TEST_TIMEOUT_MS - 30_000);
    expectOneCompleteDrain(npm, await stopProcess(npm, 'SIGTERM', STOP_WITHIN_MS + 5000, 'group'));
  });
});
