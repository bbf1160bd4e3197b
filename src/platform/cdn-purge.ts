import type { Logger } from './logger.ts';

/** The request header a BAN carries: the space-separated tags whose objects the CDN drops. */
export const BAN_TAGS_HEADER = 'x-ban-tags';
/** The response header naming a cached response's tags, which the CDN stores with the object. */
export const SURROGATE_KEY_HEADER = 'surrogate-key';

export interface CdnPurgerOptions {
  /** Each CDN node (a Varnish instance), e.g. http://10.0.0.5:6081. */
  urls: readonly string[];
  timeoutMs?: number;
}

/**
 * Tells the CDN to drop what the origin invalidated: an HTTP `BAN /` carrying
 * `x-ban-tags: <tag> <tag>` to each configured node (deploy/varnish turns it into a ban on
 * objects whose `Surrogate-Key` holds one of the tags), or `PURGE <path>` for one URL.
 * Throws when a node did not accept, so the cache invalidator's event is retried.
 */
export class CdnPurger {
  constructor(
    private readonly options: CdnPurgerOptions,
    private readonly logger: Logger,
  ) {}

  get configured(): boolean {
    return this.options.urls.length > 0;
  }

  async banTags(tags: readonly string[]): Promise<void> {
    if (tags.length === 0 || !this.configured) return;
    await this.toEveryNode('BAN', '/', { [BAN_TAGS_HEADER]: tags.join(' ') });
  }

  async purgePath(path: string): Promise<void> {
    if (!this.configured) return;
    await this.toEveryNode('PURGE', path, {});
  }

  private async toEveryNode(method: string, path: string, headers: Record<string, string>): Promise<void> {
    const results = await Promise.allSettled(this.options.urls.map((base) => this.send(base, method, path, headers)));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${this.options.urls[i]}: ${String(r.reason instanceof Error ? r.reason.message : r.reason)}`] : []));
    if (failed.length > 0) {
      this.logger.warn({ method, failed }, 'CDN purge not accepted by every node');
      throw new Error(`CDN ${method} failed on ${failed.join('; ')}`);
    }
  }

  private async send(base: string, method: string, path: string, headers: Record<string, string>): Promise<void> {
    const response = await fetch(new URL(path, base), { method, headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 2000) });
    await response.arrayBuffer();
    if (response.status >= 300) throw new Error(`answered ${response.status}`);
  }
}
