import type { Logger } from '../platform/logger.ts';

/**
 * Runs `shutdown` once on SIGTERM/SIGINT (stop accepting, drain, close pools), then
 * lets the process exit. A second signal exits at once.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal, exiting now');
        process.exit(130);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down: draining requests and jobs');
      shutdown().then(
        () => {
          logger.info('shutdown complete');
          resolve();
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.once('SIGTERM', handler);
    process.once('SIGINT', handler);
  });
}
