import { sql, type Kysely } from 'kysely';
import type { IndexRow, MemoryIndex } from './memory.index.ts';
import type { SearchTables } from './search.tables.ts';

/**
 * Fills a memory index from `search_documents` and keeps it following the table. Every write
 * to the table takes a fresh `revision` under one transaction-scoped advisory lock (see
 * search.repository.ts), so revisions become visible in order and "everything above the last
 * revision I applied" never skips a write; removals leave a row in `search_removals`.
 */

const PAGE = 5000;

interface DocumentRow {
  product_id: string;
  seller_id: string;
  title: string;
  brand: string | null;
  brand_key: string | null;
  category_id: number;
  price_amount: number;
  currency: string;
  image: string | null;
  avg_rating: string | number;
  review_count: number;
  popularity: number;
  availability: string;
  in_stock: boolean;
  created_at: Date | string;
  terms: string | null;
  head_noun: string | null;
  family_id: string | null;
  family_title: string | null;
  revision: string | number;
}

const COLUMNS = sql`product_id, seller_id, title, brand, brand_key, category_id, price_amount, currency, image, avg_rating, review_count,
  popularity, availability, in_stock, created_at, terms, head_noun, family_id, family_title, revision`;

const toIndexRow = (r: DocumentRow): IndexRow => ({
  id: r.product_id,
  sellerId: r.seller_id,
  title: r.title,
  brand: r.brand,
  brandKey: r.brand_key,
  categoryId: r.category_id,
  priceAmount: r.price_amount,
  currency: r.currency.trim(),
  image: r.image,
  avgRating: Number(r.avg_rating),
  reviewCount: r.review_count,
  popularity: Number(r.popularity),
  availability: r.availability,
  inStock: r.in_stock,
  createdAt: new Date(r.created_at).getTime(),
  terms: r.terms ?? '',
  headNoun: r.head_noun,
  familyId: r.family_id,
  familyTitle: r.family_title,
  revision: Number(r.revision),
});

export async function loadCategories(db: Kysely<SearchTables>, index: MemoryIndex): Promise<void> {
  const { rows } = await sql<{ id: number; name: string; slug: string; path: string; name_key: string }>`
    select id, name, slug, path, name_key from search_categories order by path`.execute(db);
  index.setCategories(rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, path: r.path, nameKey: r.name_key })));
}

async function highestRevision(db: Kysely<SearchTables>): Promise<number> {
  const { rows } = await sql<{ r: string | number | null }>`
    select greatest((select max(revision) from search_documents), (select max(revision) from search_removals)) as r`.execute(db);
  return Number(rows[0]?.r ?? 0);
}

/** Reads the whole table into `index`, page by page; afterwards `catchUp` applies what changed meanwhile. */
export async function loadAll(db: Kysely<SearchTables>, index: MemoryIndex, onProgress?: (done: number) => void): Promise<void> {
  const start = await highestRevision(db);
  await loadCategories(db, index);
  let after: string | null = null;
  let done = 0;
  for (;;) {
    const { rows }: { rows: DocumentRow[] } = await sql<DocumentRow>`
      select ${COLUMNS} from search_documents ${after === null ? sql`` : sql`where product_id > ${after}::uuid`}
      order by product_id limit ${PAGE}`.execute(db);
    for (const row of rows) index.put(toIndexRow(row));
    done += rows.length;
    onProgress?.(done);
    if (rows.length < PAGE) break;
    after = rows.at(-1)!.product_id;
  }
  index.revision = Math.max(index.revision, start);
}

/** Applies every write above `index.revision`, in revision order; returns how many. */
export async function catchUp(db: Kysely<SearchTables>, index: MemoryIndex): Promise<number> {
  let applied = 0;
  for (;;) {
    const from = index.revision;
    const [puts, removals] = await Promise.all([
      sql<DocumentRow>`select ${COLUMNS} from search_documents where revision > ${from} order by revision limit ${PAGE}`.execute(db),
      sql<{ product_id: string; revision: string | number }>`
        select product_id, revision from search_removals where revision > ${from} order by revision limit ${PAGE}`.execute(db),
    ]);
    // A full page ends somewhere: only writes up to the lower of the two ends are known complete.
    const ends = [puts.rows.length === PAGE ? Number(puts.rows.at(-1)!.revision) : Infinity, removals.rows.length === PAGE ? Number(removals.rows.at(-1)!.revision) : Infinity];
    const bound = Math.min(...ends);
    const changes = [
      ...puts.rows.map((r) => ({ revision: Number(r.revision), apply: () => index.put(toIndexRow(r)) })),
      ...removals.rows.map((r) => ({ revision: Number(r.revision), apply: () => index.remove(r.product_id, Number(r.revision)) })),
    ]
      .filter((c) => c.revision <= bound)
      .sort((a, b) => a.revision - b.revision);
    // A product in a category this index has not seen yet: the category was just created.
    if (puts.rows.some((r) => !index.categories.has(r.category_id))) await loadCategories(db, index);
    for (const change of changes) change.apply();
    applied += changes.length;
    if (changes.length > 0) index.revision = Math.max(index.revision, changes.at(-1)!.revision);
    if (bound === Infinity) return applied;
  }
}
