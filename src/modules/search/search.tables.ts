import type { ColumnType, Generated } from 'kysely';

/** One row per active product: a derived copy of catalog + inventory data, shaped for search. */
export interface SearchDocumentsTable {
  product_id: string;
  seller_id: string;
  title: string;
  brand: string | null;
  /** lower(brand): the brand filter and facet key. */
  brand_key: string | null;
  category_id: number;
  category_name: string;
  category_path: string;
  /** The category and its ancestors, so a filter on a parent includes its descendants. */
  category_ids: number[];
  category_slugs: string[];
  price_amount: number;
  currency: string;
  image: string | null;
  /** numeric(3,2): drivers return it as a string. */
  avg_rating: ColumnType<string | number, number, number>;
  review_count: number;
  popularity: number;
  availability: string;
  in_stock: boolean;
  created_at: Date;
  /** Weighted English tsvector: title A, brand B, categories C, description and attributes D. */
  document: unknown;
  /** Unstemmed title + brand words for prefix autocomplete. */
  suggest: unknown;
  source_hash: string;
  indexed_at: Generated<Date>;
  /** Analyzed terms with their field masks, "term:mask …" (search.analysis.ts); null until the row is rebuilt. */
  terms: string | null;
  /** The title's head noun as a term: the kind of product. */
  head_noun: string | null;
  /** The variation family the product is a child of: results are grouped by it. */
  family_id: string | null;
  family_title: string | null;
  /** Taken from `search_revision` under the index write lock on every write: readers follow the table by it. */
  revision: ColumnType<string | number, unknown, unknown>;
}

/** Products removed from the index, with the revision of the removal, so in-memory copies drop them too. */
export interface SearchRemovalsTable {
  product_id: string;
  revision: ColumnType<string | number, unknown, unknown>;
}

/** Words seen in the catalog, for spelling correction by trigram similarity. */
export interface SearchTermsTable {
  term: string;
  frequency: number;
}

/** Categories that hold (or are ancestors of) indexed products, for autocomplete. */
export interface SearchCategoriesTable {
  id: number;
  name: string;
  slug: string;
  path: string;
  name_key: string;
}

export interface SearchTables {
  search_documents: SearchDocumentsTable;
  search_terms: SearchTermsTable;
  search_categories: SearchCategoriesTable;
  search_removals: SearchRemovalsTable;
}
