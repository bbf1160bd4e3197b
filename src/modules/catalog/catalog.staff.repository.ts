import { sql } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import { toProduct } from './catalog.repository.ts';
import type { CatalogTables } from './catalog.tables.ts';
import type { Product, ProductStatus } from './catalog.types.ts';

export interface StaffProductFilter {
  /** A product id, or words the title, brand or id contains (case-insensitive). */
  q?: string;
  status?: ProductStatus;
  sellerId?: string;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Products in any status, newest id first, keyset on id; every word of `q` must match. */
export async function listProductsForStaff(e: Executor<any>, filter: StaffProductFilter, beforeId: string | undefined, limit: number): Promise<Product[]> {
  let query = (e as Executor<CatalogTables>).selectFrom('products').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.sellerId) query = query.where('seller_id', '=', filter.sellerId);
  for (const word of (filter.q ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 8)) {
    const pattern = `%${escapeLike(word.toLowerCase())}%`;
    query = query.where(sql<boolean>`(lower(title) like ${pattern} or lower(coalesce(brand, '')) like ${pattern} or cast(id as text) like ${pattern})`);
  }
  if (beforeId) query = query.where('id', '<', beforeId);
  const rows = await query.orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toProduct);
}
