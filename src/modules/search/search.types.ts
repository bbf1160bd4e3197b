/**
 * Search module types: the query a caller may ask, the answer an engine gives, and the
 * ports through which the composition root feeds the index from the catalog and inventory.
 */

export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'rating', 'newest'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** Approximate stock for display, as the inventory module reports it. */
export interface Availability {
  status: string;
  available: number;
}

export interface IndexableCategory {
  id: number;
  name: string;
  slug: string;
  path: string;
}

/** Everything the index needs about one product, assembled by the composition root from catalog and inventory. */
export interface IndexableProduct {
  id: string;
  sellerId: string;
  title: string;
  description: string;
  brand: string | null;
  /** The product's category first-to-last from the root: `categories.at(-1)` is its own. */
  categories: IndexableCategory[];
  priceAmount: number;
  currency: string;
  images: string[];
  attributes: Record<string, string | number | boolean>;
  avgRating: number;
  reviewCount: number;
  status: 'active' | 'inactive' | 'suspended';
  /** null when inventory knows nothing of the product (treated as out of stock). */
  availability: Availability | null;
  createdAt: Date;
  /** The variation family the product is a child of, or null. Children of a family that is not active are not searchable. */
  family?: { id: string; title: string; status: 'active' | 'inactive' | 'suspended' } | null;
  /** Its value on each axis of its family ({} outside one), e.g. { size: 'M', color: 'Red' }. */
  options?: Record<string, string>;
}

/** Port: reads of the source of truth. The index is rebuilt from it and refreshed from it on every event. */
export interface ProductFeed {
  /** Every product (any status), in pages; `cursor` null for the first page, `nextCursor` null after the last. */
  listForIndex(page: { cursor: string | null; limit: number }): Promise<{ products: IndexableProduct[]; nextCursor: string | null }>;
  /** The products that still exist among `ids`; missing ids are absent. */
  findForIndex(ids: string[]): Promise<IndexableProduct[]>;
  /** Current availability of `ids`; ids without stock records may be absent. */
  availabilityOf(ids: string[]): Promise<Map<string, Availability>>;
  /** Roughly how many products `listForIndex` will yield (for progress reporting). */
  countForIndex(): Promise<number>;
}

/** Category filter as given: an id, or a slug / slug path (slugs are unique, so the last segment decides). */
export type CategoryFilter = { id: number } | { slug: string };

/** A validated, normalized search request. */
export interface SearchQuery {
  /** Normalized words of the text query (lower case, accents folded, prices removed); empty = browse. */
  words: string[];
  category: CategoryFilter | null;
  /** Lower-cased brand names; OR within the list. */
  brands: string[];
  /** Inclusive bounds in minor units. */
  priceMin: number | null;
  priceMax: number | null;
  ratingMin: number | null;
  inStock: boolean;
  sort: SearchSort;
  after: CursorKey | null;
  limit: number;
}

/** The position after the last hit of a page, in the order of `sort`. */
export interface CursorKey {
  sort: SearchSort;
  /** Primary sort value (score / price / rating / timestamp), as text so numeric keys round-trip exactly. */
  value: string;
  /** Secondary value (review count for `rating`), else ''. */
  value2: string;
  id: string;
}

/** The family a hit stands for: search shows one result per family, represented by its best matching child. */
export interface HitFamily {
  id: string;
  title: string;
  /** Lowest and highest price among the family's children that match the query and every filter. */
  priceMin: number;
  priceMax: number;
  /** How many of its children match the query and every filter. */
  matchingVariants: number;
}

export interface SearchHit {
  /** The product shown (for a family: its best matching child, whose page shows the option picker). */
  id: string;
  sellerId: string;
  title: string;
  brand: string | null;
  priceAmount: number;
  currency: string;
  image: string | null;
  category: { id: number; name: string; path: string };
  avgRating: number;
  reviewCount: number;
  availability: string;
  inStock: boolean;
  createdAt: Date;
  /** null for a product outside a family. */
  family: HitFamily | null;
}

/**
 * A leaf category and its count under every filter but the category one. With a category
 * filter, only leaves under the selected category's parent are counted (its siblings and their
 * subtrees: the choices a sidebar offers), so a leaf page does not count the whole catalog.
 * `selected` when the leaf lies within the category filter.
 */
export interface CategoryFacet {
  id: number;
  name: string;
  path: string;
  count: number;
  selected: boolean;
}
export interface BrandFacet {
  value: string;
  count: number;
  selected: boolean;
}
export interface PriceRangeFacet {
  /** Inclusive lower bound in minor units. */
  min: number;
  /** Exclusive upper bound; null for the open top range. */
  max: number | null;
  count: number;
}
export interface RatingFacet {
  /** "min stars and up". */
  min: number;
  count: number;
}

export interface Facets {
  categories: CategoryFacet[];
  brands: BrandFacet[];
  priceRanges: PriceRangeFacet[];
  ratings: RatingFacet[];
}

/** How the engine understood the text: `all` words required, or `any` when nothing had them all. */
export interface QueryInterpretation {
  /** The words actually searched for (after spelling correction). */
  words: string[];
  corrected: boolean;
  match: 'all' | 'any';
}

export interface EngineResult {
  hits: SearchHit[];
  /** Where the next page starts, or null on the last page. */
  next: CursorKey | null;
  facets: Facets;
  totalCount: number;
  /** A better spelling of the query when the one given found nothing (or was corrected). */
  didYouMean: string | null;
  interpretation: QueryInterpretation;
  /** When nothing matched: other queries that would find something, with their counts (best first). */
  suggestions?: QuerySuggestion[];
}

export interface QuerySuggestion {
  text: string;
  count: number;
}

export interface Suggestions {
  products: { id: string; title: string }[];
  brands: { name: string; count: number }[];
  categories: { id: number; name: string; path: string }[];
}

/**
 * A search backend. The PostgreSQL engine is the default; an OpenSearch engine would implement
 * the same contract. Engines throw on failure; the service then answers from the fallback.
 */
export interface SearchEngine {
  readonly name: string;
  /** False while the engine cannot answer yet (an in-memory index still loading): the service asks the next one. */
  ready?(): boolean;
  search(query: SearchQuery): Promise<EngineResult>;
  suggest(prefixWords: string[], limit: number): Promise<Suggestions>;
  /** Told after this process changed the index, to drop anything it keeps in memory. */
  indexChanged?(): void;
}

/** Raw request parameters, as the HTTP layer (or any caller) receives them. */
export interface SearchParams {
  q?: string;
  category?: string;
  brand?: string | string[];
  priceMin?: number;
  priceMax?: number;
  ratingMin?: number;
  inStock?: boolean;
  sort?: string;
  cursor?: string;
  limit?: number;
}

export interface SearchResponse {
  products: SearchHit[];
  facets: Facets;
  totalCount: number;
  nextCursor: string | null;
  didYouMean: string | null;
  /** When nothing matched: other queries that would find something ("kettle" for "stride kettle"), with their counts. */
  suggestions: QuerySuggestion[];
  /** What was searched: text after corrections, and prices read from the text ("under $50"). */
  query: { text: string; corrected: boolean; match: 'all' | 'any'; priceMin: number | null; priceMax: number | null };
  /** True when the engine failed and the simple fallback answered (no facets, no relevance ranking). */
  degraded: boolean;
}

export interface ReindexProgress {
  done: number;
  total: number;
}

export interface ReindexReport {
  indexed: number;
  removed: number;
  terms: number;
  durationMs: number;
}
