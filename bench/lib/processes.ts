import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface Service {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

// Whatever way the harness ends, no server it started outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

/** A TCP port nothing listens on right now (asked from the OS). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node --import tsx <script> ...args` (one process, so a kill reaches the server
 * itself) and waits until GET <url><healthPath> answers 200.
 */
export async function startService(options: {
  name: string;
  script: string;
  args?: string[];
  /** Extra node flags, e.g. --cpu-prof to profile the server under load. */
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  healthPath?: string;
  timeoutMs?: number;
}): Promise<Service> {
  const url = `http://127.0.0.1:${options.port}`;
  const logDir = process.env.BENCH_LOG_DIR;
  if (logDir) fs.mkdirSync(logDir, { recursive: true });
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.script, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
    // BENCH_LOG_DIR keeps each service's log (its stdout) for a post-mortem.
    stdio: ['ignore', logDir ? fs.openSync(path.join(logDir, `${options.name.replace(/\W+/g, '-')}.log`), 'a') : 'ignore', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      running.delete(child);
      resolve();
    });
  });
  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const killed = await Promise.race([exitedPromise.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) child.kill('SIGKILL');
    await exitedPromise;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${options.name} exited with code ${exited} before it was ready:\n${stderr}`);
    try {
      const response = await fetch(`${url}${options.healthPath ?? '/healthz'}`);
      if (response.ok) return { name: options.name, url, child, stop };
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`${options.name} did not become ready within ${(options.timeoutMs ?? 120_000) / 1000} s:\n${stderr}`);
}
