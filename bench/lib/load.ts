import autocannon, { type Options, type Result } from 'autocannon';
import type { LoadFigures } from './types.ts';

export interface LoadOptions extends Options {
  /** Seconds of unmeasured load first, so JIT, caches and connection pools are warm. */
  warmupSeconds?: number;
}

export function figuresOf(result: Result): LoadFigures {
  const completed = result.requests.total;
  return {
    requestsPerSecond: result.duration > 0 ? completed / result.duration : 0,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: completed,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Runs autocannon with a progress bar on stderr and returns the measured figures. */
export async function runLoad(title: string, options: LoadOptions): Promise<LoadFigures> {
  const { warmupSeconds = 0, ...load } = options;
  if (warmupSeconds > 0) {
    const warmup = autocannon({ ...load, duration: warmupSeconds });
    autocannon.track(warmup, { renderResultsTable: false, renderLatencyTable: false, progressBarString: `  warm-up  ${title} [:bar] :percent` });
    await warmup;
  }
  const instance = autocannon(load);
  autocannon.track(instance, { renderResultsTable: false, renderLatencyTable: false, progressBarString: `  measure  ${title} [:bar] :percent` });
  const result = await instance;
  const figures = figuresOf(result);
  process.stderr.write(
    `  ${title}: ${Math.round(figures.requestsPerSecond).toLocaleString('en-US')} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
      `errors ${figures.errors}, non-2xx ${figures.non2xx}\n`,
  );
  return figures;
}
