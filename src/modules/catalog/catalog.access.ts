import type { Executor } from '../../platform/database.ts';
import { forbidden, invalid, unprocessable } from '../../platform/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import * as repo from './catalog.repository.ts';
import type { CatalogTables } from './catalog.tables.ts';
import type { CatalogPrincipal } from './catalog.types.ts';

/** Who may write the catalog: admins for any seller, a seller account for its own seller only. */
export function assertWriter(principal: CatalogPrincipal): void {
  if (principal.role !== 'admin' && principal.role !== 'seller') throw forbidden('Only admins and sellers change the catalog');
}

export function assertAdmin(principal: CatalogPrincipal): void {
  if (principal.role !== 'admin') throw forbidden('Only an admin may do this');
}

/** Whether the principal manages what belongs to `sellerId` (admins: everything). */
export async function canManageSeller(db: Executor<CatalogTables>, principal: CatalogPrincipal, sellerId: string): Promise<boolean> {
  if (principal.role === 'admin') return true;
  if (principal.role !== 'seller') return false;
  const seller = await repo.findSellerByAccount(db, principal.accountId);
  return seller?.id === sellerId;
}

/** The seller a new product or family belongs to: named by an admin (`seller_required`), implied for a seller account. */
export async function sellerForNewItem(db: Executor<CatalogTables>, principal: CatalogPrincipal, requested: string | undefined): Promise<string> {
  if (principal.role === 'admin') {
    if (requested === undefined) throw invalid('seller_required', 'An admin creating catalog items names their seller (seller_id)');
    const seller = isUuid(requested) ? await repo.findSeller(db, requested) : undefined;
    if (!seller) throw unprocessable('seller_not_found', `Seller ${requested} does not exist`);
    return seller.id;
  }
  assertWriter(principal);
  const own = await repo.findSellerByAccount(db, principal.accountId);
  if (!own) throw forbidden('This account does not manage a seller');
  if (requested !== undefined && requested.toLowerCase() !== own.id) throw forbidden('A seller creates catalog items only for itself');
  return own.id;
}

/** The seller an account manages, if any. */
export async function managedSeller(db: Executor<CatalogTables>, principal: CatalogPrincipal): Promise<string | undefined> {
  if (principal.role !== 'seller') return undefined;
  return (await repo.findSellerByAccount(db, principal.accountId))?.id;
}
