import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { cursorCodec } from '../../platform/cursor.ts';
import type { Executor } from '../../platform/database.ts';
import { AppError, forbidden, invalid, unprocessable } from '../../platform/errors.ts';
import { isUuid, newId } from '../../platform/ids.ts';
import { appendToOutbox, EventTypes } from '../events/index.ts';
import { assertWriter, canManageSeller, managedSeller, sellerForNewItem } from './catalog.access.ts';
import { axisInUse, familyNotFound, familyNotFoundForWrite, familySellerMismatch, optionsMismatch } from './catalog.errors.ts';
import * as catalogRepo from './catalog.repository.ts';
import type { CatalogTables } from './catalog.tables.ts';
import type { CatalogChangeListener, CatalogPrincipal, FamilyDetail, FamilyPage, FamilyPatch, NewFamilyInput, OptionAxis, Product, ProductFamily } from './catalog.types.ts';
import { normalizeFamilyFields } from './catalog.validation.ts';
import * as repo from './families.repository.ts';

type Db = Kysely<CatalogTables>;

/**
 * The product a write will leave: which family (if any) and which options. Refuses options
 * outside a family, and options that do not name exactly one known value on every axis.
 */
export function assertFitsFamily(family: Pick<ProductFamily, 'id' | 'axes'> | undefined, options: Record<string, string>): void {
  const named = Object.keys(options);
  if (!family) {
    if (named.length > 0) throw optionsMismatch('Only a product of a family has options; set family_id as well', { options });
    return;
  }
  const missing = family.axes.filter((axis) => !Object.hasOwn(options, axis.name)).map((axis) => axis.name);
  const unknown = named.filter((name) => !family.axes.some((axis) => axis.name === name));
  const badValues = family.axes
    .filter((axis) => Object.hasOwn(options, axis.name) && !axis.values.includes(options[axis.name]!))
    .map((axis) => ({ axis: axis.name, value: options[axis.name], allowed: axis.values }));
  if (missing.length > 0 || unknown.length > 0 || badValues.length > 0) {
    throw optionsMismatch('The options must name one of the family’s values on each of its axes', {
      family_id: family.id,
      ...(missing.length > 0 ? { missing } : {}),
      ...(unknown.length > 0 ? { unknown } : {}),
      ...(badValues.length > 0 ? { values: badValues } : {}),
    });
  }
}

/**
 * For a product write: loads (and locks, so a concurrent axis edit waits) the family the product
 * will belong to and checks that it exists, is the product's seller's, and that the options fit.
 */
export async function checkVariant(
  executor: Executor<CatalogTables>,
  product: { sellerId: string; familyId: string | null; options: Record<string, string> },
): Promise<void> {
  if (product.familyId === null) return assertFitsFamily(undefined, product.options);
  const family = isUuid(product.familyId) ? await repo.findFamily(executor, product.familyId, { forUpdate: true }) : undefined;
  if (!family) throw familyNotFoundForWrite(product.familyId);
  if (family.sellerId !== product.sellerId) throw familySellerMismatch(family.id);
  assertFitsFamily(family, product.options);
}

/**
 * An axis change must not orphan a child: values and axes in use stay, and a new axis needs a
 * family without children (they would have no value on it).
 */
function assertAxesChangeKeepsVariants(current: OptionAxis[], next: OptionAxis[], variants: Product[]): void {
  if (variants.length === 0) return;
  const added = next.filter((axis) => !current.some((c) => c.name === axis.name)).map((a) => a.name);
  if (added.length > 0) throw axisInUse('Axes can be added only while the family has no products', { added });
  for (const axis of current) {
    const kept = next.find((n) => n.name === axis.name);
    const users = variants.filter((v) => Object.hasOwn(v.options, axis.name) && !(kept?.values.includes(v.options[axis.name]!) ?? false));
    if (users.length > 0) {
      throw axisInUse(`Products of this family still use ${kept ? 'a removed value of' : 'the axis'} ${axis.name}`, {
        axis: axis.name,
        product_ids: users.map((u) => u.id),
      });
    }
  }
}

const FamiliesCursor = cursorCodec({ id: 'uuid' });

/**
 * Variation families of the catalog: a parent carrying the shared title, description, brand,
 * category, images and option axes of child products (size, colour…). Each child stays a
 * product with its own id, price, stock and availability; it joins a family through the
 * product API (`family_id` and `options`). Every write records `catalog.family.updated` in the
 * outbox in its own transaction, naming the children, so indexes and caches of them follow.
 *
 * Error codes: `family_not_found` (404; 422 when named in a write), `invalid_axes`,
 * `invalid_options`, `invalid_cursor`, `seller_required` (400), `options_mismatch`,
 * `family_seller_mismatch`, `seller_not_found`, `category_not_found` (422), `axis_in_use`,
 * `variant_exists` (409), `forbidden` / `product_suspended` (403).
 */
export class FamiliesService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** Told after each committed family write (see CatalogOptions.changes). */
    private readonly changes?: CatalogChangeListener,
  ) {}

  async createFamily(principal: CatalogPrincipal, input: NewFamilyInput): Promise<FamilyDetail> {
    const sellerId = await sellerForNewItem(this.db, principal, input.sellerId);
    const fields = normalizeFamilyFields({ ...input, images: input.images ?? [] });
    if (fields.status === 'suspended' && principal.role !== 'admin') throw forbidden('Only an admin suspends a family');
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      await this.assertCategoryExists(trx, fields.categoryId!);
      const family = await repo.insertFamily(trx, {
        ...repo.familyColumns(fields),
        id: newId(),
        seller_id: sellerId,
        title: fields.title!,
        category_id: fields.categoryId!,
        axes: JSON.stringify(fields.axes),
        status: fields.status ?? 'active',
        created_at: now,
        updated_at: now,
      });
      await this.recordChange(trx, family, 'created', []);
      return { ...family, variants: [] };
    });
  }

  /** Changes the given fields (sellers: own families only; suspension is an admin decision, `product_suspended`). */
  async updateFamily(principal: CatalogPrincipal, id: string, patch: FamilyPatch): Promise<FamilyDetail> {
    assertWriter(principal);
    const fields = normalizeFamilyFields(patch);
    const updated = await this.db.transaction().execute(async (trx) => {
      const current = isUuid(id) ? await repo.findFamily(trx, id, { forUpdate: true }) : undefined;
      if (!current) throw familyNotFound(id);
      if (!(await canManageSeller(trx, principal, current.sellerId))) throw forbidden('You may change only your own families');
      const statusChanges = fields.status !== undefined && fields.status !== current.status;
      if (principal.role !== 'admin' && statusChanges && (current.status === 'suspended' || fields.status === 'suspended')) {
        throw new AppError('product_suspended', 'forbidden', 'Only an admin suspends a family or lifts a suspension');
      }
      if (fields.categoryId !== undefined) await this.assertCategoryExists(trx, fields.categoryId);
      const variants = await repo.variantsOf(trx, current.id);
      if (fields.axes !== undefined) assertAxesChangeKeepsVariants(current.axes, fields.axes, variants);
      const family = (await repo.updateFamily(trx, current.id, { ...repo.familyColumns(fields), updated_at: this.clock.now() }))!;
      await this.recordChange(trx, family, statusChanges ? 'status_changed' : 'updated', variants.map((v) => v.id));
      return { ...family, variants };
    });
    await this.changes?.catalogChanged({ kind: 'family', familyId: updated.id });
    return updated;
  }

  /** A family in any status with all its children, for whoever manages it (`family_not_found` / `forbidden`). */
  async getManagedFamily(principal: CatalogPrincipal, id: string): Promise<FamilyDetail> {
    assertWriter(principal);
    const family = await this.findFamily(id);
    if (!family) throw familyNotFound(id);
    if (!(await canManageSeller(this.db, principal, family.sellerId))) throw forbidden('You may manage only your own families');
    return { ...family, variants: await repo.variantsOf(this.db, family.id) };
  }

  /**
   * The storefront view: an active family with its active children. A family that is not
   * active is reported missing unless the viewer manages it (who then sees every child).
   */
  async getFamilyForViewer(viewer: CatalogPrincipal | undefined, id: string): Promise<FamilyDetail> {
    const family = await this.findFamily(id);
    if (!family) throw familyNotFound(id);
    const manages = viewer !== undefined && (viewer.role === 'admin' || viewer.role === 'seller') && (await canManageSeller(this.db, viewer, family.sellerId));
    if (family.status !== 'active' && !manages) throw familyNotFound(id);
    const variants = await repo.variantsOf(this.db, family.id);
    return { ...family, variants: manages ? variants : variants.filter((v) => v.status === 'active') };
  }

  async findFamily(id: string): Promise<ProductFamily | undefined> {
    return isUuid(id) ? repo.findFamily(this.db, id.toLowerCase()) : undefined;
  }

  /** Families by id (unknown ids are absent). */
  async findFamilies(ids: string[]): Promise<Map<string, ProductFamily>> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))];
    return new Map((await repo.findFamilies(this.db, wanted)).map((f) => [f.id, f]));
  }

  /** Families newest first: an admin sees every seller's (or one seller's), a seller its own. */
  async listFamilies(principal: CatalogPrincipal, query: { sellerId?: string; cursor?: string; limit: number }): Promise<FamilyPage> {
    assertWriter(principal);
    const limit = Math.min(Math.max(Math.trunc(query.limit) || 1, 1), 100);
    let sellerId = query.sellerId;
    if (principal.role === 'seller') {
      const own = await managedSeller(this.db, principal);
      if (!own) throw forbidden('This account does not manage a seller');
      if (sellerId !== undefined && sellerId.toLowerCase() !== own) throw forbidden('A seller lists only its own families');
      sellerId = own;
    }
    const beforeId = query.cursor !== undefined ? FamiliesCursor.decode(query.cursor).id : undefined;
    const rows = await repo.listFamilies(this.db, { limit: limit + 1, ...(sellerId !== undefined ? { sellerId } : {}), ...(beforeId ? { beforeId } : {}) });
    const families = rows.slice(0, limit);
    return { families, nextCursor: rows.length > limit ? FamiliesCursor.encode({ id: families[families.length - 1]!.id }) : null };
  }

  private async assertCategoryExists(executor: Executor<CatalogTables>, id: number): Promise<void> {
    if (!(await catalogRepo.findCategory(executor, id))) throw unprocessable('category_not_found', `Category ${id} does not exist`);
  }

  private async recordChange(executor: Executor<CatalogTables>, family: ProductFamily, change: 'created' | 'updated' | 'status_changed', productIds: string[]) {
    await appendToOutbox(executor, {
      type: EventTypes.familyUpdated,
      aggregateType: 'family',
      aggregateId: family.id,
      payload: { family_id: family.id, seller_id: family.sellerId, change, status: family.status, product_ids: productIds },
    });
  }
}
