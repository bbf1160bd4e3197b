import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface BazaarProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output contains `text`; rejects with the output when it exits first or `timeoutMs` passes. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Exit code (null if killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `command args` (default: `node bin/bazaar.js`) as a process of its own, in its own process group. */
export function spawnProcess(args: string[], env: Record<string, string>, command = process.execPath): BazaarProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const chunks: string[] = [];
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    chunks.push(chunk.toString());
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    output: () => chunks.join(''),
    exited,
    waitFor(text, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (chunks.join('').includes(text)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for "${text}" from ${args.join(' ')}:\n${chunks.join('').slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(({ code, signal }) => {
          if (!chunks.join('').includes(text)) {
            cleanup();
            reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before printing "${text}":\n${chunks.join('').slice(-3000)}`));
          }
        });
        check();
      });
    },
  };
}

export const spawnBazaar = (args: string[], env: Record<string, string>) => spawnProcess(['bin/bazaar.js', ...args], env);

/** Runs `bazaar args` to completion; resolves to its exit code and output. */
export async function runBazaar(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const running = spawnBazaar(args, env);
  const { code } = await running.exited;
  return { code, output: running.output() };
}

/**
 * Sends `signal` and waits for the process to exit by itself; SIGKILLs it (and fails) after
 * `timeoutMs`. Resolves to how long it took, its exit code and whether it had to be killed.
 */
export async function stopProcess(running: BazaarProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000, target: 'process' | 'group' = 'process') {
  const started = Date.now();
  if (running.child.exitCode !== null) return { ms: 0, code: running.child.exitCode, killed: false };
  process.kill(target === 'group' ? -running.child.pid! : running.child.pid!, signal);
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    try {
      process.kill(-running.child.pid!, 'SIGKILL');
    } catch {
      running.child.kill('SIGKILL');
    }
  }, timeoutMs);
  const { code } = await running.exited;
  clearTimeout(timer);
  return { ms: Date.now() - started, code, killed };
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something answers HTTP on the port. */
export async function answers(port: number, urlPath = '/healthz'): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(2000) });
    return response.status > 0;
  } catch {
    return false;
  }
}
