/** The response cache's counters and the statement counter of an API process, read from its /metrics. */
export interface CacheCounters {
  l1Hit: number;
  l1Stale: number;
  l1Miss: number;
  l2Hit: number;
  l2Stale: number;
  answered: number;
  rendered: number;
  renders: number;
  statements: number;
}

function value(text: string, pattern: string): number {
  const line = text.split('\n').find((l) => l.startsWith(pattern));
  return line ? Number(line.slice(pattern.length).trim()) : 0;
}

export async function readCacheCounters(baseUrl: string): Promise<CacheCounters> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  const requests = (layer: string, result: string) => value(text, `bazaar_cache_requests_total{layer="${layer}",result="${result}"}`);
  return {
    l1Hit: requests('l1', 'hit'),
    l1Stale: requests('l1', 'stale'),
    l1Miss: requests('l1', 'miss'),
    l2Hit: requests('l2', 'hit'),
    l2Stale: requests('l2', 'stale'),
    answered: requests('all', 'hit'),
    rendered: requests('all', 'miss'),
    renders: value(text, 'bazaar_cache_renders_total'),
    statements: value(text, 'bazaar_db_statements_total'),
  };
}

export interface CacheDelta {
  lookups: number;
  /** Answered from a cache level rather than waiting for a render, as a fraction of lookups. */
  hitRatio: number;
  renders: number;
  statementsPerRender: number;
}

export function cacheDelta(before: CacheCounters, after: CacheCounters): CacheDelta {
  const d = (k: keyof CacheCounters) => after[k] - before[k];
  const lookups = d('answered') + d('rendered');
  return { lookups, hitRatio: lookups > 0 ? d('answered') / lookups : 0, renders: d('renders'), statementsPerRender: d('renders') > 0 ? d('statements') / d('renders') : 0 };
}

export const describeDelta = (delta: CacheDelta) =>
  `cache hit ratio ${(delta.hitRatio * 100).toFixed(2)} % of ${delta.lookups.toLocaleString('en-US')} lookups, ${delta.renders.toLocaleString('en-US')} renders (misses and background refreshes)` +
  (delta.renders > 0 ? ` at ${delta.statementsPerRender.toFixed(2)} SQL statements each` : '');
