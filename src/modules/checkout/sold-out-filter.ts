/** The part of the platform cache the filter needs (Redis when configured, so all API processes share it). */
export interface FlagStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
}

/**
 * Hot-item pre-filter from the spec: once a reservation fails for lack of stock, further
 * checkouts of that product are answered `out_of_stock` for a few seconds without touching
 * the inventory database — a flash sale's thundering herd stops at the cache. It can only
 * err towards "sold out" for `ttlSeconds` after a restock; it never lets an oversell through,
 * because the conditional UPDATE still decides every sale.
 */
export class SoldOutFilter {
  constructor(
    private readonly store: FlagStore,
    private readonly ttlSeconds = 5,
  ) {}

  async soldOut(productIds: string[]): Promise<string[]> {
    const flags = await Promise.all(productIds.map((id) => this.store.get<boolean>(key(id))));
    return productIds.filter((_, i) => flags[i] === true);
  }

  async markSoldOut(productIds: string[]): Promise<void> {
    await Promise.all(productIds.map((id) => this.store.set(key(id), true, this.ttlSeconds)));
  }
}

const key = (productId: string) => `sold-out:${productId}`;
