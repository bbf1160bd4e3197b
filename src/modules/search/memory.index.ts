import { categoryHeadTerm, decodeTerms, FIELD, isAccessoryCategoryName, termOf } from './search.analysis.ts';
import { wordsOf } from './search.query.ts';

/**
 * The in-memory copy of `search_documents` that the memory engine answers from: numeric
 * columns in typed arrays, postings per term (document slots in ascending order, each with its
 * field mask), and the statistics relevance needs (document frequencies, head nouns per
 * category). Documents live in slots; a changed document gets a new slot at the end, so posting
 * lists stay sorted by appending, and dead slots are dropped by `compact` once they pile up.
 */

/** One indexed product as the engine shows it. */
export interface StoredHit {
  id: string;
  sellerId: string;
  title: string;
  brand: string | null;
  currency: string;
  image: string | null;
  categoryId: number;
  availability: string;
}

/** A `search_documents` row as the loader reads it. */
export interface IndexRow extends StoredHit {
  brandKey: string | null;
  priceAmount: number;
  avgRating: number;
  reviewCount: number;
  popularity: number;
  inStock: boolean;
  createdAt: number;
  terms: string;
  headNoun: string | null;
  familyId: string | null;
  familyTitle: string | null;
  revision: number;
}

export interface IndexedCategory {
  id: number;
  name: string;
  slug: string;
  path: string;
  nameKey: string;
  /** The category name's head noun as a term ("Running Shoes" → "shoe"). */
  headTerm: string | null;
  /** Its name marks an accessory category ("Phone Cases"). */
  accessoryName: boolean;
}

class Postings {
  slots = new Int32Array(4);
  masks = new Uint8Array(4);
  length = 0;

  push(slot: number, mask: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      this.slots = slots;
      const masks = new Uint8Array(this.length * 2);
      masks.set(this.masks);
      this.masks = masks;
    }
    this.slots[this.length] = slot;
    this.masks[this.length++] = mask;
  }

  /** Keeps live slots only, renumbered by `remap` (-1 = dead). */
  compact(remap: Int32Array): void {
    let n = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = remap[this.slots[i]!]!;
      if (slot >= 0) {
        this.slots[n] = slot;
        this.masks[n++] = this.masks[i]!;
      }
    }
    this.length = n;
  }
}

const grow = <T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number): T => {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
};

/** FNV-1a over what decides a document's slot contents (text, category, brand): equal means "update in place". */
function fingerprintOf(row: IndexRow): number {
  let hash = 0x811c9dc5;
  const text = `${row.terms}|${row.headNoun}|${row.title}|${row.brand}|${row.brandKey}|${row.categoryId}|${row.familyId}|${row.familyTitle}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}

const bump = <K>(map: Map<K, number>, key: K, by: number) => {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
};

export class MemoryIndex {
  /** Highest `search_documents` / `search_removals` revision applied. */
  revision = 0;
  private capacity = 0;
  private used = 0;
  private liveCount = 0;
  hits: (StoredHit | undefined)[] = [];
  alive = new Uint8Array(0);
  price = new Int32Array(0);
  rating = new Float64Array(0);
  reviews = new Int32Array(0);
  popularity = new Float64Array(0);
  created = new Float64Array(0);
  inStock = new Uint8Array(0);
  category = new Int32Array(0);
  brand = new Int32Array(0);
  head = new Int32Array(0);
  /** The family (index into `familyIds`) a document is a child of, or -1. */
  family = new Int32Array(0);
  readonly familyIds: string[] = [];
  readonly familyTitles: string[] = [];
  private readonly familyIndex = new Map<string, number>();
  /** Words in the title head: a short head that the query covers is a closer match. */
  headLength = new Uint8Array(0);
  private fingerprint = new Int32Array(0);
  private docTerms: (Int32Array | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly revisionOf = new Map<string, number>();

  private readonly termIds = new Map<string, number>();
  private readonly termPostings: Postings[] = [];
  private readonly df: number[] = [];
  private readonly wordIds = new Map<string, number>();
  readonly wordNames: string[] = [];
  private readonly wordPostings: Postings[] = [];
  private sortedWords: string[] | undefined;

  readonly brandKeys: string[] = [];
  readonly brandNames: string[] = [];
  private readonly brandIds = new Map<string, number>();
  readonly brandCounts: number[] = [];

  /** Slots per category id in ascending order (dead ones included until `compact`): browsing a category scans only these. */
  private readonly slotsByCategory = new Map<number, number[]>();
  /** Documents per category id, and per head-noun term id the documents per category id. */
  readonly categoryDocs = new Map<number, number>();
  readonly headCategoryDocs = new Map<number, Map<number, number>>();
  readonly headDocs = new Map<number, number>();
  categories = new Map<number, IndexedCategory>();

  get size(): number {
    return this.liveCount;
  }
  get slotCount(): number {
    return this.used;
  }

  termId(term: string): number | undefined {
    return this.termIds.get(term);
  }
  postings(termId: number): Postings {
    return this.termPostings[termId]!;
  }
  documentFrequency(termId: number): number {
    return this.df[termId] ?? 0;
  }
  wordId(word: string): number | undefined {
    return this.wordIds.get(word);
  }
  wordPostingList(wordId: number): Postings {
    return this.wordPostings[wordId]!;
  }
  slot(productId: string): number | undefined {
    return this.slotOf.get(productId);
  }

  /** Title and brand words in order, for prefix lookups (rebuilt after new words arrive). */
  words(): string[] {
    this.sortedWords ??= [...this.wordIds.keys()].sort();
    return this.sortedWords;
  }

  setCategories(categories: { id: number; name: string; slug: string; path: string; nameKey: string }[]): void {
    this.categories = new Map(
      categories.map((c) => [c.id, { ...c, headTerm: categoryHeadTerm(c.name), accessoryName: isAccessoryCategoryName(c.name) }]),
    );
  }

  /** Applies a row if it is newer than what the index holds for the product. */
  put(row: IndexRow): void {
    if ((this.revisionOf.get(row.id) ?? -1) >= row.revision) return;
    const fingerprint = fingerprintOf(row);
    const current = this.slotOf.get(row.id);
    this.revisionOf.set(row.id, row.revision);
    // Stock, price or rating changed but not the text: rewrite the columns in place, no new slot.
    if (current !== undefined && this.fingerprint[current] === fingerprint) {
      this.writeColumns(current, row);
      return;
    }
    this.removeSlot(row.id);
    const slot = this.allocate();
    this.slotOf.set(row.id, slot);
    this.alive[slot] = 1;
    this.fingerprint[slot] = fingerprint;
    this.category[slot] = row.categoryId;
    const inCategory = this.slotsByCategory.get(row.categoryId);
    if (inCategory) inCategory.push(slot);
    else this.slotsByCategory.set(row.categoryId, [slot]);
    this.family[slot] = row.familyId === null ? -1 : this.familyIdOf(row.familyId, row.familyTitle ?? '');
    this.brand[slot] = row.brandKey === null ? -1 : this.brandIdOf(row.brandKey, row.brand ?? row.brandKey);
    if (this.brand[slot]! >= 0) this.brandCounts[this.brand[slot]!]!++;
    this.writeColumns(slot, row);
    const terms: number[] = [];
    let headLength = 0;
    decodeTerms(row.terms, (term, mask) => {
      const id = this.internTerm(term);
      this.termPostings[id]!.push(slot, mask);
      this.df[id]!++;
      terms.push(id);
      if (mask & (FIELD.head | FIELD.headNoun)) headLength++;
    });
    this.docTerms[slot] = Int32Array.from(terms);
    this.headLength[slot] = Math.min(255, headLength);
    for (const word of new Set(wordsOf(`${row.title} ${row.brand ?? ''}`))) this.wordPostings[this.internWord(word)]!.push(slot, 0);
    const headId = row.headNoun === null ? -1 : this.internTerm(row.headNoun);
    this.head[slot] = headId;
    bump(this.categoryDocs, row.categoryId, 1);
    if (headId >= 0) {
      bump(this.headDocs, headId, 1);
      const perCategory = this.headCategoryDocs.get(headId) ?? new Map<number, number>();
      bump(perCategory, row.categoryId, 1);
      this.headCategoryDocs.set(headId, perCategory);
    }
    this.liveCount++;
  }

  private writeColumns(slot: number, row: IndexRow): void {
    this.hits[slot] = { id: row.id, sellerId: row.sellerId, title: row.title, brand: row.brand, currency: row.currency, image: row.image, categoryId: row.categoryId, availability: row.availability };
    this.price[slot] = row.priceAmount;
    this.rating[slot] = row.avgRating;
    this.reviews[slot] = row.reviewCount;
    this.popularity[slot] = row.popularity;
    this.created[slot] = row.createdAt;
    this.inStock[slot] = row.inStock ? 1 : 0;
  }

  /** Removes a product if the removal is newer than what the index holds for it. */
  remove(productId: string, revision: number): void {
    if ((this.revisionOf.get(productId) ?? -1) >= revision) return;
    this.revisionOf.set(productId, revision);
    this.removeSlot(productId);
  }

  /** Updates stock flags in place (no new slot: terms are unchanged). */
  setAvailability(productId: string, availability: string, inStock: boolean): void {
    const slot = this.slotOf.get(productId);
    if (slot === undefined) return;
    this.hits[slot] = { ...this.hits[slot]!, availability };
    this.inStock[slot] = inStock ? 1 : 0;
  }

  /** Whether enough slots are dead that rebuilding the postings pays (a quarter, at least 1,000). */
  needsCompaction(): boolean {
    const dead = this.used - this.liveCount;
    return dead >= 1000 && dead * 4 >= this.used;
  }

  /** Drops dead slots: renumbers the live ones in order and filters every posting list. */
  compact(): void {
    const remap = new Int32Array(this.used).fill(-1);
    let next = 0;
    for (let slot = 0; slot < this.used; slot++) {
      if (!this.alive[slot]) continue;
      remap[slot] = next;
      this.moveSlot(slot, next++);
    }
    for (let slot = next; slot < this.used; slot++) {
      this.hits[slot] = undefined;
      this.docTerms[slot] = undefined;
      this.alive[slot] = 0;
    }
    for (const p of this.termPostings) p.compact(remap);
    for (const p of this.wordPostings) p.compact(remap);
    for (const [id, slot] of this.slotOf) this.slotOf.set(id, remap[slot]!);
    for (const [category, slots] of this.slotsByCategory) {
      this.slotsByCategory.set(category, slots.map((slot) => remap[slot]!).filter((slot) => slot >= 0));
    }
    this.used = next;
  }

  private moveSlot(from: number, to: number): void {
    if (from === to) return;
    this.hits[to] = this.hits[from];
    this.docTerms[to] = this.docTerms[from];
    this.alive[to] = 1;
    const columns = [this.price, this.rating, this.reviews, this.popularity, this.created, this.inStock, this.category, this.brand, this.head, this.headLength, this.fingerprint, this.family];
    for (const column of columns) {
      column[to] = column[from]!;
    }
  }

  private removeSlot(productId: string): void {
    const slot = this.slotOf.get(productId);
    if (slot === undefined) return;
    this.slotOf.delete(productId);
    this.alive[slot] = 0;
    for (const id of this.docTerms[slot]!) this.df[id]!--;
    if (this.brand[slot]! >= 0) this.brandCounts[this.brand[slot]!]!--;
    bump(this.categoryDocs, this.category[slot]!, -1);
    const headId = this.head[slot]!;
    if (headId >= 0) {
      bump(this.headDocs, headId, -1);
      const perCategory = this.headCategoryDocs.get(headId);
      if (perCategory) bump(perCategory, this.category[slot]!, -1);
    }
    this.hits[slot] = undefined;
    this.docTerms[slot] = undefined;
    this.liveCount--;
  }

  private allocate(): number {
    if (this.used === this.capacity) {
      this.capacity = Math.max(1024, this.capacity * 2);
      this.alive = grow(this.alive, this.capacity);
      this.price = grow(this.price, this.capacity);
      this.rating = grow(this.rating, this.capacity);
      this.reviews = grow(this.reviews, this.capacity);
      this.popularity = grow(this.popularity, this.capacity);
      this.created = grow(this.created, this.capacity);
      this.inStock = grow(this.inStock, this.capacity);
      this.category = grow(this.category, this.capacity);
      this.brand = grow(this.brand, this.capacity);
      this.head = grow(this.head, this.capacity);
      this.family = grow(this.family, this.capacity);
      this.headLength = grow(this.headLength, this.capacity);
      this.fingerprint = grow(this.fingerprint, this.capacity);
    }
    return this.used++;
  }

  private internTerm(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.termPostings.length;
      this.termIds.set(term, id);
      this.termPostings.push(new Postings());
      this.df.push(0);
    }
    return id;
  }

  private internWord(word: string): number {
    let id = this.wordIds.get(word);
    if (id === undefined) {
      id = this.wordPostings.length;
      this.wordIds.set(word, id);
      this.wordNames.push(word);
      this.wordPostings.push(new Postings());
      this.sortedWords = undefined;
    }
    return id;
  }

  private familyIdOf(id: string, title: string): number {
    let index = this.familyIndex.get(id);
    if (index === undefined) {
      index = this.familyIds.length;
      this.familyIndex.set(id, index);
      this.familyIds.push(id);
      this.familyTitles.push(title);
    }
    // The family's title may have changed; its children carry the latest.
    this.familyTitles[index] = title;
    return index;
  }

  private brandIdOf(key: string, name: string): number {
    let id = this.brandIds.get(key);
    if (id === undefined) {
      id = this.brandKeys.length;
      this.brandIds.set(key, id);
      this.brandKeys.push(key);
      this.brandNames.push(name);
      this.brandCounts.push(0);
    }
    return id;
  }

  /** Live and dead slots of these categories (in no particular order). */
  slotsInCategories(categories: Iterable<number>): Int32Array {
    const lists = [...categories].map((c) => this.slotsByCategory.get(c) ?? []);
    const all = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const list of lists) {
      all.set(list, at);
      at += list.length;
    }
    return all;
  }

  brandIdOfKey(key: string): number | undefined {
    return this.brandIds.get(key);
  }

  /** The term of a query word, if any indexed document has it. */
  knownTerm(word: string): number | undefined {
    const id = this.termIds.get(termOf(word));
    return id !== undefined && this.df[id]! > 0 ? id : undefined;
  }
}

export type { Postings };
