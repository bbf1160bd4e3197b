import { Counter, Gauge } from 'prom-client';
import type { Metrics } from './metrics.ts';

/** A plain number the hot path bumps; Prometheus reads it at scrape time. */
export class Tally {
  count = 0;
}

interface CacheState {
  entries: number;
  bytes: number;
  /** Undefined without a shared level. */
  l2Up: boolean | undefined;
}

/**
 * The response cache's figures. The hot path only increments numbers; `/metrics` turns
 * them into `bazaar_cache_requests_total{layer,result}` and `bazaar_cache_hit_ratio{layer}`
 * (since start: `l1`, `l2`, and `all` = answered without rendering, the spec's > 95 % target).
 * For a window, use `rate()` over the counter, e.g.
 * `sum(rate(bazaar_cache_requests_total{layer="l1",result=~"hit|stale"}[5m])) / sum(rate(bazaar_cache_requests_total{layer="l1",result!="bypass"}[5m]))`.
 */
export class CacheCounters {
  readonly l1Hit = new Tally();
  readonly l1Stale = new Tally();
  readonly l1Miss = new Tally();
  readonly l2Hit = new Tally();
  readonly l2Stale = new Tally();
  readonly l2Miss = new Tally();
  readonly l2Error = new Tally();
  /** Lookups answered from a cache level (fresh, stale or kept on error), and those that waited for a render. */
  readonly answered = new Tally();
  readonly rendered = new Tally();
  /** Personal requests that went around the cache. */
  readonly bypass = new Tally();
  readonly renders = new Tally();
  readonly renderErrors = new Tally();
  readonly servedOnError = new Tally();
  readonly racedInvalidation = new Tally();
  readonly invalidations = new Tally();

  constructor(metrics: Metrics, state: () => CacheState) {
    const requests: [string, string, Tally][] = [
      ['l1', 'hit', this.l1Hit],
      ['l1', 'stale', this.l1Stale],
      ['l1', 'miss', this.l1Miss],
      ['l1', 'bypass', this.bypass],
      ['l2', 'hit', this.l2Hit],
      ['l2', 'stale', this.l2Stale],
      ['l2', 'miss', this.l2Miss],
      ['l2', 'error', this.l2Error],
      ['all', 'hit', this.answered],
      ['all', 'miss', this.rendered],
    ];
    const counters = this;
    register(metrics, 'bazaar_cache_requests_total', () => new Counter({
      name: 'bazaar_cache_requests_total',
      help: 'Response cache lookups by level and outcome (hit, stale = served while refreshing, miss, error = level unreachable, bypass = personal request); layer all: answered from any level (hit) or rendered (miss)',
      labelNames: ['layer', 'result'],
      registers: [],
      collect() {
        this.reset();
        for (const [layer, result, tally] of requests) this.inc({ layer, result }, tally.count);
      },
    }));
    register(metrics, 'bazaar_cache_hit_ratio', () => new Gauge({
      name: 'bazaar_cache_hit_ratio',
      help: 'Share of response cache lookups answered from the cache since start: per level, and all = without rendering (target > 0.95)',
      labelNames: ['layer'],
      registers: [],
      collect() {
        const l1Served = counters.l1Hit.count + counters.l1Stale.count;
        const l2Served = counters.l2Hit.count + counters.l2Stale.count;
        this.set({ layer: 'l1' }, ratio(l1Served, l1Served + counters.l1Miss.count));
        this.set({ layer: 'l2' }, ratio(l2Served, l2Served + counters.l2Miss.count + counters.l2Error.count));
        this.set({ layer: 'all' }, ratio(counters.answered.count, counters.answered.count + counters.rendered.count));
      },
    }));
    const plain: [string, string, Tally][] = [
      ['bazaar_cache_renders_total', 'Responses rendered by the origin for the cache (misses and refreshes that reached the database)', this.renders],
      ['bazaar_cache_refresh_errors_total', 'Background refreshes that failed (the cached copy kept being served)', this.renderErrors],
      ['bazaar_cache_served_on_error_total', 'Requests answered with a kept copy because rendering failed (stale-if-error)', this.servedOnError],
      ['bazaar_cache_raced_invalidations_total', 'Renders not stored in the shared level because one of their tags was invalidated meanwhile', this.racedInvalidation],
      ['bazaar_cache_invalidated_tags_total', 'Tags invalidated in this process (local writes, events and other processes)', this.invalidations],
    ];
    for (const [name, help, tally] of plain) {
      register(metrics, name, () => new Counter({
        name,
        help,
        registers: [],
        collect() {
          this.reset();
          this.inc(tally.count);
        },
      }));
    }
    register(metrics, 'bazaar_cache_l1_bytes', () => new Gauge({
      name: 'bazaar_cache_l1_bytes',
      help: 'Bytes held by the in-process response cache',
      registers: [],
      collect() {
        this.set(state().bytes);
      },
    }));
    register(metrics, 'bazaar_cache_l1_entries', () => new Gauge({
      name: 'bazaar_cache_l1_entries',
      help: 'Entries held by the in-process response cache',
      registers: [],
      collect() {
        this.set(state().entries);
      },
    }));
    register(metrics, 'bazaar_cache_l2_up', () => new Gauge({
      name: 'bazaar_cache_l2_up',
      help: '1 while the shared response cache (Redis) answers, 0 during an outage; absent without one',
      registers: [],
      collect() {
        const up = state().l2Up;
        if (up !== undefined) this.set(up ? 1 : 0);
      },
    }));
  }
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? Number.NaN : part / whole;
}

/** Only the first response cache of a registry reports (each process has one). */
function register(metrics: Metrics, name: string, create: () => Counter | Gauge): void {
  if (metrics.registry.getSingleMetric(name)) return;
  metrics.registry.registerMetric(create());
}
