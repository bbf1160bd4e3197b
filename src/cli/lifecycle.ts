import type { EventEmitter } from 'node:events';
import type { Logger } from '../platform/logger.ts';

export interface ShutdownOptions {
  /**
   * Signals this soon after the first are its echo, not a second interrupt: Ctrl+C or a
   * process-group SIGTERM through `npm run` reaches the process twice (from the terminal or
   * supervisor, and forwarded by npm). They must not cut the drain short.
   */
  repeatWindowMs?: number;
  /** A drain still running after this long is abandoned (logged), so a supervisor never needs SIGKILL. */
  drainTimeoutMs?: number;
  /** After a completed shutdown the process must end on its own; past this it is ended, naming what was left open. */
  exitGraceMs?: number;
  /** Test seams. */
  signals?: Pick<EventEmitter, 'on' | 'off'>;
  exit?: (code: number) => void;
  now?: () => number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `shutdown` once on SIGTERM/SIGINT (stop accepting, drain, close pools); resolves when it
 * is done, and the process then exits because nothing is left open. A second interrupt sent
 * deliberately (after `repeatWindowMs`) exits at once with 130; an echo of the first is ignored.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>, options: ShutdownOptions = {}): Promise<void> {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const now = options.now ?? Date.now;
  const repeatWindowMs = options.repeatWindowMs ?? 2000;
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const handler = (signal: NodeJS.Signals) => {
      if (firstAt !== undefined) {
        if (now() - firstAt < repeatWindowMs) {
          logger.debug({ signal }, 'repeated signal while draining: ignored');
          return;
        }
        logger.warn({ signal }, 'second interrupt: exiting without finishing the drain');
        exit(130);
        return;
      }
      firstAt = now();
      logger.info({ signal }, 'shutting down: draining requests and jobs');
      drain(logger, shutdown, options.drainTimeoutMs ?? 25_000).then((ok) => {
        if (ok) logger.info('shutdown complete');
        else process.exitCode = 1;
        exitWhenIdle(logger, options.exitGraceMs ?? 5000, exit);
        resolve();
      });
    };
    // `on`, not `once`: with no listener left, a repeated signal would take Node's default action and kill the drain.
    for (const signal of SIGNALS) signals.on(signal, handler);
  });
}

async function drain(logger: Logger, shutdown: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([shutdown().then(() => 'done' as const), timedOut]);
    if (outcome === 'timeout') logger.error({ timeoutMs }, 'shutdown did not finish in time; exiting anyway');
    return outcome === 'done';
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Everything was closed: the event loop should empty now. If it does not, say what is still open and exit. */
function exitWhenIdle(logger: Logger, graceMs: number, exit: (code: number) => void): void {
  const timer = setTimeout(() => {
    logger.warn({ open: process.getActiveResourcesInfo() }, 'still running after shutdown completed: something was left open; exiting');
    exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  }, graceMs);
  timer.unref();
}
