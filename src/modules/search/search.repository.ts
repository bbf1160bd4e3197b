import { createHash } from 'node:crypto';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Executor } from '../../platform/database.ts';
import { analyzeDocument, encodeTerms } from './search.analysis.ts';
import { normalizeText, wordsOf } from './search.query.ts';
import type { SearchCategoriesTable, SearchDocumentsTable, SearchTables } from './search.tables.ts';
import type { Availability, IndexableCategory, IndexableProduct } from './search.types.ts';

type Db = Executor<SearchTables>;
const as = (executor: Executor<any>) => executor as Db;

/** Rows per multi-row statement: keeps every statement well under PostgreSQL's 65,535 parameters. */
export const WRITE_CHUNK = 250;

const MIN_TERM_LENGTH = 3;
const MAX_TERM_LENGTH = 40;

/** Bumped when the analysis changes: every row's source hash changes with it, so a rebuild rewrites them all. */
export const ANALYZER_VERSION = 4;

/** Key of the transaction-scoped advisory lock every index write holds while it takes revisions. */
const INDEX_WRITE_LOCK = 0x5ea4c4;

/**
 * Runs `write` in a transaction holding the index write lock: revisions are taken and
 * committed in one order, so a reader that applied everything up to revision r and then asks
 * for "above r" never misses a write that committed later with a lower number.
 */
export async function withIndexWrite<T>(db: Kysely<any>, write: (trx: Executor<any>) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${INDEX_WRITE_LOCK})`.execute(trx);
    return write(trx);
  });
}

const nextRevision = sql<string>`nextval('search_revision')`;

export const isInStock = (availability: Availability | null): boolean => (availability?.available ?? 0) > 0;

/** Rating weighted by how many people rated: 4.8 from 3 reviews ranks below 4.5 from 2,000. */
export const popularityOf = (avgRating: number, reviewCount: number): number =>
  Math.round(avgRating * Math.log1p(Math.max(0, reviewCount)) * 10_000) / 10_000;

function attributeText(attributes: Record<string, string | number | boolean>): string {
  return Object.values(attributes)
    .filter((v) => typeof v === 'string' || typeof v === 'number')
    .join(' ');
}

export function toDocumentRow(p: IndexableProduct): Insertable<SearchDocumentsTable> {
  const own = p.categories.at(-1);
  if (!own) throw new Error(`Product ${p.id} has no category`);
  const title = normalizeText(p.title);
  const brand = p.brand ? normalizeText(p.brand) : '';
  const categories = normalizeText(p.categories.map((c) => c.name).join(' '));
  const rest = normalizeText(`${p.description} ${attributeText(p.attributes)} ${p.family ? `${p.family.title} ${Object.values(p.options ?? {}).join(' ')}` : ''}`);
  // A child of a family is also found by the family's title and by its option values ("red", "xl").
  const familyText = p.family ? `${p.family.title} ${Object.values(p.options ?? {}).join(' ')}` : '';
  const analysis = analyzeDocument({
    title: p.title,
    brand: p.brand,
    categories: p.categories.map((c) => c.name),
    body: `${p.description} ${attributeText(p.attributes)} ${familyText}`,
  });
  return {
    product_id: p.id,
    seller_id: p.sellerId,
    title: p.title,
    brand: p.brand,
    brand_key: brand === '' ? null : brand,
    category_id: own.id,
    category_name: own.name,
    category_path: own.path,
    category_ids: p.categories.map((c) => c.id),
    category_slugs: p.categories.map((c) => c.slug),
    price_amount: p.priceAmount,
    currency: p.currency,
    image: p.images[0] ?? null,
    avg_rating: p.avgRating,
    review_count: p.reviewCount,
    popularity: popularityOf(p.avgRating, p.reviewCount),
    availability: p.availability?.status ?? 'unknown',
    in_stock: isInStock(p.availability),
    // Millisecond precision, as the application sees it, so `newest` cursors round-trip exactly.
    created_at: new Date(p.createdAt.getTime()),
    document: sql`setweight(to_tsvector('english', ${title}), 'A') || setweight(to_tsvector('english', ${brand}), 'B')
      || setweight(to_tsvector('english', ${categories}), 'C') || setweight(to_tsvector('english', ${rest}), 'D')`,
    suggest: sql`to_tsvector('simple', ${`${title} ${brand}`})`,
    source_hash: createHash('sha1').update(JSON.stringify([ANALYZER_VERSION, p])).digest('base64url'),
    terms: encodeTerms(analysis.terms),
    head_noun: analysis.headNoun,
    family_id: p.family?.id ?? null,
    family_title: p.family?.title ?? null,
    revision: nextRevision,
  };
}

/** Distinct words of a product worth correcting a query towards (≥ 3 characters, not pure numbers). */
export function termsOf(p: IndexableProduct): Set<string> {
  const text = [p.title, p.brand ?? '', ...p.categories.map((c) => c.name), p.description, attributeText(p.attributes)].join(' ');
  return new Set(wordsOf(text).filter((w) => w.length >= MIN_TERM_LENGTH && w.length <= MAX_TERM_LENGTH && !/^\d+$/.test(w)));
}

const DOCUMENT_COLUMNS = [
  'seller_id', 'title', 'brand', 'brand_key', 'category_id', 'category_name', 'category_path', 'category_ids', 'category_slugs',
  'price_amount', 'currency', 'image', 'avg_rating', 'review_count', 'popularity', 'availability', 'in_stock', 'created_at',
  'document', 'suggest', 'source_hash', 'terms', 'head_noun', 'family_id', 'family_title', 'revision',
] as const;

/**
 * Inserts or replaces the documents of `products` (all must be active). A document whose
 * source is unchanged is left alone: no dead row, no index churn (PGlite has no autovacuum),
 * no new revision. Inside `withIndexWrite`.
 */
export async function upsertDocuments(executor: Executor<any>, products: IndexableProduct[]): Promise<void> {
  for (let i = 0; i < products.length; i += WRITE_CHUNK) {
    const rows = products.slice(i, i + WRITE_CHUNK).map(toDocumentRow);
    await as(executor)
      .insertInto('search_documents')
      .values(rows)
      .onConflict((oc) =>
        oc.column('product_id').doUpdateSet((eb) => ({
          ...Object.fromEntries(DOCUMENT_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)])),
          indexed_at: sql`now()`,
        })).where(sql<boolean>`search_documents.source_hash is distinct from excluded.source_hash`),
      )
      .execute();
  }
}

/** Removes documents and records each removal with a revision (for in-memory copies). Inside `withIndexWrite`. */
export async function deleteDocuments(executor: Executor<any>, productIds: string[]): Promise<number> {
  if (productIds.length === 0) return 0;
  const deleted = await as(executor).deleteFrom('search_documents').where('product_id', 'in', productIds).returning('product_id').execute();
  await recordRemovals(executor, deleted.map((r) => r.product_id));
  return deleted.length;
}

async function recordRemovals(executor: Executor<any>, productIds: string[]): Promise<void> {
  const sorted = [...productIds].sort();
  for (let i = 0; i < sorted.length; i += WRITE_CHUNK * 4) {
    await as(executor)
      .insertInto('search_removals')
      .values(sorted.slice(i, i + WRITE_CHUNK * 4).map((product_id) => ({ product_id, revision: nextRevision })))
      .onConflict((oc) => oc.column('product_id').doUpdateSet((eb) => ({ revision: eb.ref('excluded.revision') })))
      .execute();
  }
}

/**
 * Removes documents of products a rebuild did not see, unless written after it began (a
 * consumer indexed them meanwhile). `seen` is every product id the rebuild read.
 */
export async function deleteUnseenDocuments(executor: Executor<any>, seen: Set<string>, startedAt: Date): Promise<number> {
  const rows = await as(executor).selectFrom('search_documents').select('product_id').where('indexed_at', '<', startedAt).execute();
  const unseen = rows.map((r) => r.product_id).filter((id) => !seen.has(id));
  let removed = 0;
  for (let i = 0; i < unseen.length; i += WRITE_CHUNK * 4) {
    const deleted = await as(executor)
      .deleteFrom('search_documents')
      .where('product_id', 'in', unseen.slice(i, i + WRITE_CHUNK * 4))
      .where('indexed_at', '<', startedAt)
      .returning('product_id')
      .execute();
    await recordRemovals(executor, deleted.map((r) => r.product_id));
    removed += deleted.length;
  }
  return removed;
}

/** Reclaims dead rows and refreshes planner statistics after a rebuild (no autovacuum on PGlite). Not inside a transaction. */
export async function vacuumDocuments(db: Kysely<any>): Promise<void> {
  await sql`vacuum analyze search_documents`.execute(db);
}

/** Updates stock flags; rows whose flags did not change are not rewritten. Inside `withIndexWrite`. */
export async function updateAvailability(executor: Executor<any>, changes: { productId: string; availability: Availability | null }[]): Promise<void> {
  for (const change of changes) {
    const status = change.availability?.status ?? 'unknown';
    const inStock = isInStock(change.availability);
    await as(executor)
      .updateTable('search_documents')
      .set({ availability: status, in_stock: inStock, revision: nextRevision })
      .where('product_id', '=', change.productId)
      .where((eb) => eb.or([eb('availability', '!=', status), eb('in_stock', '!=', inStock)]))
      .execute();
  }
}

/** Adds words to the spelling vocabulary; existing ones keep their frequency. Sorted so concurrent writers lock in one order. */
export async function addTerms(executor: Executor<any>, terms: Iterable<string>): Promise<void> {
  const sorted = [...new Set(terms)].sort();
  for (let i = 0; i < sorted.length; i += WRITE_CHUNK * 4) {
    await as(executor)
      .insertInto('search_terms')
      .values(sorted.slice(i, i + WRITE_CHUNK * 4).map((term) => ({ term, frequency: 1 })))
      .onConflict((oc) => oc.column('term').doNothing())
      .execute();
  }
}

/** Replaces the whole vocabulary (after a rebuild, with exact document frequencies). */
export async function replaceTerms(db: Kysely<any>, frequencies: Map<string, number>): Promise<void> {
  const rows = [...frequencies].sort(([a], [b]) => (a < b ? -1 : 1)).map(([term, frequency]) => ({ term, frequency }));
  await db.transaction().execute(async (trx) => {
    await as(trx).deleteFrom('search_terms').execute();
    for (let i = 0; i < rows.length; i += WRITE_CHUNK * 4) {
      await as(trx).insertInto('search_terms').values(rows.slice(i, i + WRITE_CHUNK * 4)).execute();
    }
  });
}

const categoryRow = (c: IndexableCategory): SearchCategoriesTable => ({ id: c.id, name: c.name, slug: c.slug, path: c.path, name_key: normalizeText(c.name) });

export async function upsertCategories(executor: Executor<any>, categories: Iterable<IndexableCategory>): Promise<void> {
  const byId = new Map([...categories].map((c) => [c.id, c]));
  const rows = [...byId.values()].sort((a, b) => a.id - b.id).map(categoryRow);
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    await as(executor)
      .insertInto('search_categories')
      .values(rows.slice(i, i + WRITE_CHUNK))
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          slug: eb.ref('excluded.slug'),
          path: eb.ref('excluded.path'),
          name_key: eb.ref('excluded.name_key'),
        })),
      )
      .execute();
  }
}

/** Drops categories no document is in (or under); a document's categories are always written with it. */
export async function deleteUnusedCategories(executor: Executor<any>): Promise<void> {
  await sql`delete from search_categories c where not exists (select 1 from search_documents d where d.category_ids @> array[c.id])`.execute(executor);
}

/** Whether some document was written before its analysis was stored (an index from before the current analyzer's columns). */
export async function hasUnanalyzedDocuments(executor: Executor<any>): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select 1 from search_documents where terms is null) as found`.execute(executor);
  return rows[0]?.found === true;
}

export async function countDocuments(executor: Executor<any>): Promise<number> {
  const row = await as(executor)
    .selectFrom('search_documents')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function databaseNow(executor: Executor<any>): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(executor);
  return new Date(rows[0]!.now);
}
