import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_catalog.ts';
import * as m0002 from './migrations/0002_checkout_challenge.ts';
import * as m0003 from './migrations/0003_families.ts';

export { CATEGORY_TREE_AGGREGATE_ID, CatalogService, IMPORT_MAX_ROWS, type CatalogOptions, type ReadOptions, type ImportedProduct, type ProductImportRow } from './catalog.service.ts';
export { parseProductCsv } from './catalog.csv.ts';
export { FamiliesService } from './families.service.ts';
export { FamilyErrors } from './catalog.errors.ts';
export type { CatalogBatch } from './catalog.import.ts';
export type {
  AttributeValue,
  CatalogChange,
  CatalogChangeListener,
  CatalogPrincipal,
  Category,
  CategoryNode,
  FamilyDetail,
  FamilyPage,
  FamilyPatch,
  ImportResult,
  Money,
  NewCategoryRow,
  NewFamilyInput,
  NewFamilyRow,
  NewProductInput,
  NewProductRow,
  NewSellerRow,
  OptionAxis,
  Product,
  ProductFamily,
  ProductPage,
  ProductPatch,
  ProductStatus,
  Seller,
  SellerKind,
} from './catalog.types.ts';
export {
  CATALOG_LIMITS,
  REVIEW_COUNT_MAX,
  CURRENCY_PATTERN,
  IMAGE_URL_PATTERN,
  PRODUCT_STATUSES,
  SELLER_KINDS,
  SLUG_PATTERN,
} from './catalog.validation.ts';

export const catalogSchema: ModuleSchema = { module: 'catalog', domain: 'main', migrations: { '0001_catalog': m0001, '0002_checkout_challenge': m0002, '0003_families': m0003 } };
