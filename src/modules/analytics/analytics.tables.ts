/** One browsing visit (30 minutes of inactivity end it) that viewed at least one product. */
export interface StorefrontVisitsTable {
  visit_id: string;
  /** The account, once the visitor signed in during the visit. */
  account_id: string | null;
  first_product_id: string;
  product_views: number;
  first_seen_at: Date;
  last_seen_at: Date;
}

export interface AnalyticsTables {
  storefront_visits: StorefrontVisitsTable;
}
