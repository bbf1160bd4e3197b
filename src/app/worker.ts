import { JobRunner, lockKeyFor, type PeriodicJob } from '../platform/jobs.ts';
import type { AppContext } from './context.ts';
import { orderLifecycleJobs } from './order-lifecycle.ts';
import { warmCaches } from './cache-warm.ts';

export interface WorkerOptions {
  simulateFulfillment?: boolean;
}

export interface RunningWorker {
  jobs: string[];
  stop(): Promise<void>;
}

/** Background jobs of the worker role; every one is safe to run in several processes at once. */
export function workerJobs(ctx: AppContext): PeriodicJob[] {
  const { identity, cart, inventory, checkout, cancellation } = ctx.services;
  const singletonOnOrders = (name: string) =>
    ctx.databases.kind === 'postgres' ? { singleton: { db: ctx.databases.orders, lockKey: lockKeyFor(name) } } : {};
  return [
    inventory.reservationSweeper(ctx.config.sweepIntervalSeconds * 1000),
    {
      name: 'checkout.recovery',
      intervalMs: ctx.config.sagaRecoveryIntervalSeconds * 1000,
      // Claims are per row (lease), so overlapping runs are safe; the lock only avoids wasted work.
      ...singletonOnOrders('checkout.recovery'),
      run: async () => {
        while ((await checkout.recoverAbandoned()) > 0);
        await cancellation.recoverPending();
      },
    },
    cart.cartExpiryJob(3600_000),
    {
      name: 'identity.session-cleanup',
      intervalMs: 3600_000,
      run: () => identity.deleteExpiredSessions(),
    },
    ...cacheWarmJobs(ctx),
  ];
}

/** CACHE_WARM_INTERVAL_SECONDS > 0: the top CACHE_WARM_TOP products are re-rendered into the caches on that schedule. */
function cacheWarmJobs(ctx: AppContext): PeriodicJob[] {
  const { cacheWarmIntervalSeconds, cacheWarmTop } = ctx.config;
  if (cacheWarmIntervalSeconds === 0) return [];
  return [
    {
      name: 'cache.warm',
      intervalMs: cacheWarmIntervalSeconds * 1000,
      ...(ctx.databases.kind === 'postgres' ? { singleton: { db: ctx.databases.main, lockKey: lockKeyFor('cache.warm') } } : {}),
      run: () => warmCaches(ctx, { top: cacheWarmTop }),
    },
  ];
}

export async function startWorker(ctx: AppContext, options: WorkerOptions = {}): Promise<RunningWorker> {
  const runner = new JobRunner(ctx.logger);
  const jobs = [...workerJobs(ctx), ...orderLifecycleJobs(ctx, { simulateFulfillment: options.simulateFulfillment ?? false })];
  for (const job of jobs) runner.start(job);
  // The event runtime schedules its own relay, dispatch and lag jobs.
  await ctx.events.start();
  return {
    jobs: [...jobs.map((j) => j.name), ...ctx.events.jobs.map((j) => j.name), ...ctx.events.consumers().map((c) => `consumer:${c}`)],
    stop: async () => {
      await ctx.events.stop();
      await runner.stop();
    },
  };
}
