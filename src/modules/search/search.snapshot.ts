import { sql, type Kysely } from 'kysely';
import type { CategoryFilter } from './search.types.ts';

export interface SnapshotCategory {
  id: number;
  name: string;
  slug: string;
  path: string;
  nameKey: string;
}

interface Snapshot {
  categories: SnapshotCategory[];
  byId: Map<number, SnapshotCategory>;
  takenAt: number;
}

/**
 * The index's category tree held in memory: a few dozen rows needed on most requests
 * (category filters, facet labels, autocomplete), where a query each would cost more than the
 * work itself on PGlite. Reloaded when older than `maxAgeMs`, when the indexer of this process
 * wrote categories (`invalidate`), or when a category asked for is missing (it may be new).
 * Loading is single-flight.
 */
export class CategorySnapshot {
  private current: Snapshot | undefined;
  private loading: Promise<Snapshot> | undefined;

  constructor(
    private readonly db: Kysely<any>,
    private readonly maxAgeMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  invalidate(): void {
    this.current = undefined;
  }

  async get(): Promise<Snapshot> {
    if (this.current && this.now() - this.current.takenAt <= this.maxAgeMs) return this.current;
    return this.load();
  }

  /** The categories with these ids; reloads once if some are missing. */
  async byIds(ids: number[]): Promise<Map<number, SnapshotCategory>> {
    let snapshot = await this.get();
    if (ids.some((id) => !snapshot.byId.has(id))) snapshot = await this.load();
    return snapshot.byId;
  }

  /**
   * Resolves a category filter: `ids` of the named category and all below it (empty when there
   * is no such category), and `siblings`, the ids under its parent, where the category facet
   * counts (null for a top-level category: everything).
   */
  async resolve(filter: CategoryFilter): Promise<{ ids: number[]; siblings: number[] | null }> {
    const find = (s: Snapshot) => ('id' in filter ? s.byId.get(filter.id) : s.categories.find((c) => c.slug === filter.slug));
    let snapshot = await this.get();
    let selected = find(snapshot);
    if (!selected) {
      snapshot = await this.load();
      selected = find(snapshot);
    }
    if (!selected) return { ids: [], siblings: [] };
    const under = (path: string) => snapshot.categories.filter((c) => c.path === path || c.path.startsWith(`${path}/`)).map((c) => c.id);
    const parent = selected.path.includes('/') ? selected.path.slice(0, selected.path.lastIndexOf('/')) : null;
    return { ids: under(selected.path), siblings: parent === null ? null : under(parent) };
  }

  /** Categories whose name, or a word of it, starts with `prefix` (normalized), shallowest first. */
  async matching(prefix: string, limit: number): Promise<SnapshotCategory[]> {
    const { categories } = await this.get();
    const depth = (c: SnapshotCategory) => c.path.split('/').length;
    return categories
      .filter((c) => c.nameKey.startsWith(prefix) || c.nameKey.includes(` ${prefix}`))
      .sort((a, b) => depth(a) - depth(b) || a.name.localeCompare(b.name))
      .slice(0, limit);
  }

  private load(): Promise<Snapshot> {
    this.loading ??= this.read().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(): Promise<Snapshot> {
    const { rows } = await sql<{ id: number; name: string; slug: string; path: string; name_key: string }>`
      select id, name, slug, path, name_key from search_categories order by path`.execute(this.db);
    const categories = rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, path: r.path, nameKey: r.name_key }));
    this.current = { categories, byId: new Map(categories.map((c) => [c.id, c])), takenAt: this.now() };
    return this.current;
  }
}

export interface SnapshotBrand {
  key: string;
  name: string;
  count: number;
}

/**
 * Brands with their product counts, for autocomplete. Counting them scans the index, so the
 * list is refreshed only when older than `maxAgeMs`, in the background while the old one is
 * served; suggested counts may lag by that long.
 */
export class BrandSnapshot {
  private current: { brands: SnapshotBrand[]; takenAt: number } | undefined;
  private loading: Promise<SnapshotBrand[]> | undefined;

  constructor(
    private readonly db: Kysely<any>,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Brands whose normalized name starts with `prefix`, most products first. */
  async matching(prefix: string, limit: number): Promise<SnapshotBrand[]> {
    const brands = this.current ? this.current.brands : await this.load();
    if (this.current && this.now() - this.current.takenAt > this.maxAgeMs) this.load().catch(() => undefined);
    return brands.filter((b) => b.key.startsWith(prefix)).slice(0, limit);
  }

  private load(): Promise<SnapshotBrand[]> {
    this.loading ??= sql<{ brand_key: string; brand: string; n: number }>`
      select brand_key, min(brand) as brand, count(*) as n from search_documents
      where brand_key is not null group by brand_key order by n desc, brand_key`
      .execute(this.db)
      .then(({ rows }) => {
        const brands = rows.map((r) => ({ key: r.brand_key, name: r.brand, count: Number(r.n) }));
        this.current = { brands, takenAt: this.now() };
        return brands;
      })
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
