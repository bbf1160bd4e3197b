import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_search.ts';
import * as m0002 from './migrations/0002_search_revisions.ts';

export { SearchService, type SearchServiceOptions } from './search.service.ts';
export { PostgresSearchEngine, type PostgresEngineOptions } from './postgres.engine.ts';
export { FallbackSearchEngine } from './fallback.engine.ts';
export { searchConsumers, SEARCH_AVAILABILITY_CONSUMER, SEARCH_FAMILIES_CONSUMER, SEARCH_PRODUCTS_CONSUMER } from './search.events.ts';
export { extractPrices, normalizeText, SEARCH_LIMITS } from './search.query.ts';
export { PRICE_BOUNDS, RATING_STEPS } from './search.facets.ts';
export type {
  Availability,
  BrandFacet,
  CategoryFacet,
  EngineResult,
  Facets,
  HitFamily,
  IndexableCategory,
  IndexableProduct,
  PriceRangeFacet,
  ProductFeed,
  RatingFacet,
  ReindexProgress,
  ReindexReport,
  SearchEngine,
  SearchHit,
  SearchParams,
  SearchQuery,
  SearchResponse,
  SearchSort,
  Suggestions,
} from './search.types.ts';
export { SEARCH_SORTS } from './search.types.ts';

export const searchSchema: ModuleSchema = { module: 'search', domain: 'main', migrations: { '0001_search': m0001, '0002_search_revisions': m0002 } };
