import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort } from './processes.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Where varnishd is. CI sets TEST_VARNISH=1 (after installing it): then a missing varnishd
 * fails the suite. Without it the Varnish suite runs when varnishd is installed.
 */
export function varnishd(): string | undefined {
  const candidate = process.env.TEST_VARNISHD ?? '/usr/sbin/varnishd';
  if (fs.existsSync(candidate)) return candidate;
  if (process.env.TEST_VARNISH === '1') throw new Error(`TEST_VARNISH=1 is set but ${candidate} does not exist (apt-get install -y varnish)`);
  return undefined;
}

export interface Varnish {
  url: string;
  port: number;
  stop(): Promise<void>;
  output(): string;
}

/** deploy/varnish/run.sh on a free port under `workDir`, in front of `origin` (host:port). */
export async function startVarnish(origin: string, workDir: string, env: Record<string, string> = {}): Promise<Varnish> {
  const port = await freePort();
  const child: ChildProcess = spawn(path.join(ROOT, 'deploy', 'varnish', 'run.sh'), [], {
    env: { ...process.env, ORIGIN: origin, LISTEN: `127.0.0.1:${port}`, PURGERS: '127.0.0.1', WORK_DIR: workDir, VARNISHD: varnishd()!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const varnish: Varnish = {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => chunks.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`varnishd exited with ${child.exitCode}:\n${varnish.output()}`);
    try {
      await request('GET', `${varnish.url}/healthz`);
      return varnish;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  await varnish.stop();
  throw new Error(`varnishd did not answer within 30 s:\n${varnish.output()}`);
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request, optionally from a chosen local address (127.0.0.2 is "another host"). */
export function request(method: string, url: string, headers: Record<string, string> = {}, options: { body?: string; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, ...(options.localAddress ? { localAddress: options.localAddress } : {}), agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end(options.body);
  });
}
