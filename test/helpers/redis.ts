import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { newId } from '../../src/platform/ids.ts';
import { freePort } from './processes.ts';

/**
 * Redis suites run when TEST_REDIS_URL is set (CI sets it) and fail, never skip, when that
 * Redis does not answer. Each run uses a key prefix of its own and deletes only its keys.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;
export const REDIS_CASES = TEST_REDIS_URL ? [TEST_REDIS_URL] : [];
export const NEEDS_REDIS = 'TEST_REDIS_URL (a Redis server)';

export const uniqueRedisPrefix = () => `bazaar-test:${newId().slice(-12)}:`;

export async function assertRedisReachable(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`TEST_REDIS_URL=${url} is set but Redis is unreachable: ${String(error)}`);
  } finally {
    client.disconnect();
  }
}

/** Keys under `prefix` (SCAN, never KEYS on a shared server). */
export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  } finally {
    client.disconnect();
  }
}

export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const keys = await keysUnder(url, prefix);
  if (keys.length === 0) return;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await client.del(...keys);
  } finally {
    client.disconnect();
  }
}

export interface OwnRedis {
  url: string;
  port: number;
  /** Stops the server (never the shared one: this is a process of the test's own). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. */
  close(): Promise<void>;
}

/** A Redis server of the test's own, on a random port under a temp dir, to take down on purpose. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bazaar-redis-'));
  let child: ChildProcess | undefined;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    const failed = new Promise<never>((_, reject) => child!.once('error', (error) => reject(new Error(`redis-server could not start: ${error.message}`))));
    const up = (async () => {
      for (let i = 0; i < 100; i++) {
        try {
          await assertRedisReachable(url);
          return;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error(`redis-server on ${port} did not come up`);
    })();
    await Promise.race([up, failed]);
  };
  await start();
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    port,
    start,
    stop,
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
