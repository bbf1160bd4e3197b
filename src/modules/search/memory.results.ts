import { FACET_SIZE, PRICE_BOUNDS, RATING_STEPS } from './search.facets.ts';
import type { MemoryIndex } from './memory.index.ts';
import type { CursorKey, Facets, SearchHit, SearchQuery } from './search.types.ts';

/**
 * Filters, facet counts, ordering and keyset pages over a set of candidate documents (the text
 * matches, or every document when browsing), all from one snapshot of the memory index: the
 * total, the facets and the page always agree. Each facet counts the candidates that pass every
 * filter but its own, exactly as the SQL engine's GROUPING SETS do.
 */

export interface ResolvedFilters {
  /** Category ids inside the category filter, or null when there is none. */
  categories: Set<number> | null;
  /** Category ids the category facet counts (the selected category's siblings), or null for all. */
  categoryScope: Set<number> | null;
  /** Brand ids selected (unknown brands select nothing), or null. */
  brands: Set<number> | null;
}

export interface PageResult {
  slots: number[];
  keys: CursorKey[];
  next: CursorKey | null;
  facets: Facets;
  total: number;
}

interface Ranked {
  slot: number;
  /** Primary sort value. */
  value: number;
  /** The candidate's position, for the relevance score. */
  id: string;
}

const bucketOf = (price: number): number => {
  let bucket = 0;
  for (let i = 1; i < PRICE_BOUNDS.length; i++) if (price >= PRICE_BOUNDS[i]!) bucket = i;
  return bucket;
};

/** Descending by value then id: the order of relevance, rating, newest and price_desc. */
const desc = (a: Ranked, b: Ranked) => b.value - a.value || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const asc = (a: Ranked, b: Ranked) => a.value - b.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function sortValueOf(index: MemoryIndex, query: SearchQuery, slot: number, score: number | null): number {
  switch (query.sort) {
    case 'relevance':
      return score ?? index.popularity[slot]!;
    case 'price_asc':
    case 'price_desc':
      return index.price[slot]!;
    case 'rating':
      // Rating, then review count: one number keeps the comparison simple (counts stay below 10^9).
      return index.rating[slot]! * 1e10 + index.reviews[slot]!;
    case 'newest':
      return index.created[slot]!;
  }
}

function cursorValue(key: CursorKey): number {
  switch (key.sort) {
    case 'rating':
      return Number(key.value) * 1e10 + Number(key.value2);
    case 'newest':
      return Date.parse(key.value);
    default:
      return Number(key.value);
  }
}

export function keyOfSlot(index: MemoryIndex, query: SearchQuery, ranked: Ranked): CursorKey {
  const slot = ranked.slot;
  const id = ranked.id;
  switch (query.sort) {
    case 'relevance':
      return { sort: 'relevance', value: ranked.value.toFixed(6), value2: '', id };
    case 'price_asc':
    case 'price_desc':
      return { sort: query.sort, value: String(index.price[slot]!), value2: '', id };
    case 'rating':
      return { sort: 'rating', value: String(index.rating[slot]!), value2: String(index.reviews[slot]!), id };
    case 'newest':
      return { sort: 'newest', value: new Date(index.created[slot]!).toISOString(), value2: '', id };
  }
}

/** A family's matching children, gathered while scanning: the best one stands for the family. */
interface FamilyGroup {
  best: Ranked;
  priceMin: number;
  priceMax: number;
  matching: number;
}

/**
 * Counts facets over `candidates` and returns the requested page, one result per variation
 * family. `scoreOf(i)` gives the relevance of the i-th candidate (text queries), else relevance
 * is popularity.
 *
 * Every count is a number of results as shown: a family is one result, represented by its best
 * matching child (by the requested order; its price range and count of matching children come
 * with it). The total counts products outside families plus families with a child passing every
 * filter; a facet value counts the results that would be shown with that value selected (a
 * family counts once per value one of its matching children has, so a family with children in
 * two price bands counts in both).
 */
export function selectPage(
  index: MemoryIndex,
  query: SearchQuery,
  filters: ResolvedFilters,
  candidates: ArrayLike<number>,
  scoreOf: ((i: number) => number) | null,
): PageResult & { families: Map<number, FamilyGroup> } {
  const counts: Counts = { brandCounts: new Int32Array(index.brandKeys.length), categoryCounts: new Map(), priceCounts: new Array<number>(PRICE_BOUNDS.length).fill(0), starCounts: new Array<number>(6).fill(0) };
  // (facet, value, family) already counted: a family counts once per facet value. Keys are numbers: family × 2^24 + facet × 2^22 + value.
  const counted = new Set<number>();
  const once = (facet: number, value: number, family: number) => {
    if (family < 0) return true;
    const key = family * 16_777_216 + facet * 4_194_304 + value;
    if (counted.has(key)) return false;
    counted.add(key);
    return true;
  };
  let singles = 0;
  const ranked: Ranked[] = [];
  const groups = new Map<number, FamilyGroup>();
  const { priceMin, priceMax, ratingMin, inStock } = query;
  const compare = query.sort === 'price_asc' ? asc : desc;
  for (let i = 0; i < candidates.length; i++) {
    const slot = candidates[i]!;
    if (!index.alive[slot] || (inStock && !index.inStock[slot])) continue;
    const family = index.family[slot]!;
    const category = index.category[slot]!;
    const brand = index.brand[slot]!;
    const price = index.price[slot]!;
    const rating = index.rating[slot]!;
    const fc = filters.categories === null || filters.categories.has(category);
    const fb = filters.brands === null || filters.brands.has(brand);
    const fp = (priceMin === null || price >= priceMin) && (priceMax === null || price <= priceMax);
    const fr = ratingMin === null || rating >= ratingMin;
    if (fc && fp && fr && brand >= 0 && once(0, brand, family)) counts.brandCounts[brand]!++;
    if (fb && fp && fr && (filters.categoryScope === null || filters.categoryScope.has(category)) && once(1, category, family)) {
      counts.categoryCounts.set(category, (counts.categoryCounts.get(category) ?? 0) + 1);
    }
    const bucket = bucketOf(price);
    if (fc && fb && fr && once(2, bucket, family)) counts.priceCounts[bucket]!++;
    const stars = Math.min(5, Math.floor(rating));
    if (fc && fb && fp && once(3, stars, family)) counts.starCounts[stars]!++;
    if (!(fc && fb && fp && fr)) continue;
    const entry = { slot, value: sortValueOf(index, query, slot, scoreOf ? scoreOf(i) : null), id: family < 0 ? index.hits[slot]!.id : index.familyIds[family]! };
    if (family < 0) {
      singles++;
      ranked.push(entry);
      continue;
    }
    const group = groups.get(family);
    if (!group) groups.set(family, { best: entry, priceMin: price, priceMax: price, matching: 1 });
    else {
      if (compare(entry, group.best) < 0) group.best = entry;
      group.priceMin = Math.min(group.priceMin, price);
      group.priceMax = Math.max(group.priceMax, price);
      group.matching++;
    }
  }
  for (const group of groups.values()) ranked.push(group.best);
  const after = query.after && query.after.sort === query.sort ? { slot: -1, value: cursorValue(query.after), id: query.after.id } : null;
  const remaining = after ? ranked.filter((entry) => compare(entry, after) > 0) : ranked;
  const page = topK(remaining, query.limit + 1, compare);
  const shown = page.slice(0, query.limit);
  const keys = shown.map((r) => keyOfSlot(index, query, r));
  return {
    slots: shown.map((r) => r.slot),
    keys,
    next: page.length > query.limit ? keys.at(-1)! : null,
    total: singles + groups.size,
    facets: presentFacets(index, query, filters, counts),
    families: groups,
  };
}

/** The first `k` of `items` in `compare` order, without sorting all of them. */
function topK<T>(items: T[], k: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= k * 4) return items.sort(compare).slice(0, k);
  // A bounded max-heap of the best k seen so far (its root is the worst of them).
  const heap: T[] = [];
  const worse = (a: T, b: T) => compare(a, b) > 0;
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(heap[i]!, heap[parent]!)) break;
        [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
        i = parent;
      }
    } else if (worse(heap[0]!, item)) {
      heap[0] = item;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let top = i;
        if (l < k && worse(heap[l]!, heap[top]!)) top = l;
        if (r < k && worse(heap[r]!, heap[top]!)) top = r;
        if (top === i) break;
        [heap[i], heap[top]] = [heap[top]!, heap[i]!];
        i = top;
      }
    }
  }
  return heap.sort(compare);
}

interface Counts {
  brandCounts: Int32Array;
  categoryCounts: Map<number, number>;
  priceCounts: number[];
  starCounts: number[];
}

function presentFacets(index: MemoryIndex, query: SearchQuery, filters: ResolvedFilters, counts: Counts): Facets {
  const selectedBrands = new Set(query.brands);
  const counted: Facets['brands'] = [];
  counts.brandCounts.forEach((count, id) => {
    if (count > 0) counted.push({ value: index.brandNames[id]!, count, selected: selectedBrands.has(index.brandKeys[id]!) });
  });
  const brands = counted.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)).filter((b, i) => i < FACET_SIZE || b.selected);
  const categories = [...counts.categoryCounts]
    .map(([id, count]) => ({ id, count, selected: filters.categories !== null && filters.categories.has(id) }))
    .sort((a, b) => b.count - a.count || a.id - b.id)
    .filter((c, i) => i < FACET_SIZE || c.selected)
    .map((c) => {
      const category = index.categories.get(c.id);
      return { id: c.id, name: category?.name ?? '', path: category?.path ?? '', count: c.count, selected: c.selected };
    });
  return {
    brands,
    categories,
    priceRanges: PRICE_BOUNDS.map((min, i) => ({ min, max: PRICE_BOUNDS[i + 1] ?? null, count: counts.priceCounts[i]! })),
    ratings: RATING_STEPS.map((min) => ({ min, count: counts.starCounts.slice(min).reduce((a, b) => a + b, 0) })),
  };
}

/** The public hit of a slot; for a child of a family, with the family's matching price range. */
export function hitOf(index: MemoryIndex, slot: number, groups?: Map<number, FamilyGroup>): SearchHit {
  const stored = index.hits[slot]!;
  const familyIndex = index.family[slot]!;
  const group = familyIndex >= 0 ? groups?.get(familyIndex) : undefined;
  const family =
    familyIndex < 0
      ? null
      : {
          id: index.familyIds[familyIndex]!,
          title: index.familyTitles[familyIndex]!,
          priceMin: group?.priceMin ?? index.price[slot]!,
          priceMax: group?.priceMax ?? index.price[slot]!,
          matchingVariants: group?.matching ?? 1,
        };
  const category = index.categories.get(stored.categoryId);
  return {
    id: stored.id,
    sellerId: stored.sellerId,
    title: stored.title,
    brand: stored.brand,
    priceAmount: index.price[slot]!,
    currency: stored.currency,
    image: stored.image,
    category: { id: stored.categoryId, name: category?.name ?? '', path: category?.path ?? '' },
    avgRating: index.rating[slot]!,
    reviewCount: index.reviews[slot]!,
    availability: stored.availability,
    inStock: index.inStock[slot] === 1,
    createdAt: new Date(index.created[slot]!),
    family,
  };
}
