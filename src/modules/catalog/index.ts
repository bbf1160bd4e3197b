import type { ModuleSchema } from '../../platform/migrations.ts';
import * as m0001 from './migrations/0001_catalog.ts';
import * as m0002 from './migrations/0002_checkout_challenge.ts';

export { CatalogService, type CatalogOptions } from './catalog.service.ts';
export type { CatalogBatch } from './catalog.import.ts';
export type {
  AttributeValue,
  CatalogPrincipal,
  Category,
  CategoryNode,
  ImportResult,
  Money,
  NewCategoryRow,
  NewProductInput,
  NewProductRow,
  NewSellerRow,
  Product,
  ProductPage,
  ProductPatch,
  ProductStatus,
  Seller,
  SellerKind,
} from './catalog.types.ts';
export {
  CATALOG_LIMITS,
  CURRENCY_PATTERN,
  IMAGE_URL_PATTERN,
  PRODUCT_STATUSES,
  SELLER_KINDS,
  SLUG_PATTERN,
} from './catalog.validation.ts';

export const catalogSchema: ModuleSchema = { module: 'catalog', domain: 'main', migrations: { '0001_catalog': m0001, '0002_checkout_challenge': m0002 } };
