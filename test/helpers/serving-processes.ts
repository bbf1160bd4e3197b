import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, ROOT } from './processes.ts';

/** A `bazaar` role serving HTTP as a process of its own, as in production. */
export interface ServingProcess {
  name: string;
  /** http://127.0.0.1:<port> for roles that serve HTTP. */
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `bazaar <args>` with `env` on a free port and, for roles that serve HTTP, waits
 * for /healthz. Fails with the process's output if it exits or is not ready in time.
 */
export async function startBazaar(name: string, args: string[], env: Record<string, string>, options: { http?: boolean; timeoutMs?: number; port?: number } = {}): Promise<ServingProcess> {
  const port = options.port ?? (await freePort());
  // node itself (not the tsx wrapper, which under load may SIGKILL a child slow to report a signal), so SIGTERM reaches bazaar.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '1000000', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const running: ServingProcess = {
    name,
    url,
    child,
    output: () => chunks.join(''),
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (options.http === false) return running;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was ready:\n${running.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return running;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await running.stop();
  throw new Error(`${name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${running.output()}`);
}
