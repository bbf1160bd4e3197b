import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import { ACCESSORY_NOUNS, queryContentWords, synonymsOf, termOf } from './search.analysis.ts';
import { MemoryIndex } from './memory.index.ts';
import { matchAll, matchAtLeast, type Matches, type QuerySlot } from './memory.match.ts';
import { accessoryCategories, planRanking, scoreOf, type RankContext } from './memory.rank.ts';
import { hitOf, selectPage, type ResolvedFilters } from './memory.results.ts';
import { suggestFrom } from './memory.suggest.ts';
import { catchUp, loadAll } from './memory.sync.ts';
import type { SearchTables } from './search.tables.ts';
import type { VocabularySnapshot } from './search.vocabulary.ts';
import type { CategoryFilter, EngineResult, QueryInterpretation, SearchEngine, SearchQuery, Suggestions } from './search.types.ts';

export interface MemoryEngineOptions {
  /** Spelling vocabulary shared with the other engines. */
  vocabulary: VocabularySnapshot;
  /** How often a serving process looks for index writes made by other processes (default 1000 ms). */
  syncIntervalMs?: number;
  onError?: (error: unknown) => void;
}

type State = 'cold' | 'loading' | 'ready';
const SYNONYM_WEIGHT = 0.9;
/** "charger" → "charg" (charging, charge): an -er noun and its verb. */
const RELATIVE = /^[a-z]{3,}er$/;
const RELATIVE_WEIGHT = 0.7;
const MAX_SUGGESTIONS = 3;
const ANSWER_CACHE_ENTRIES = 2000;

/**
 * The search engine of serving processes: a copy of the index in memory (see memory.index.ts)
 * answering every search without a database round trip, with the relevance model of
 * memory.rank.ts and exact facets from the same snapshot as the hits.
 *
 * It follows `search_documents` by revision: writes of this process are applied before its
 * next answer (`indexChanged`), writes of other processes within `syncIntervalMs` of the next
 * request. Until `warm` has loaded it (`ready()` false) callers use another engine.
 */
export class MemoryEngine implements SearchEngine {
  readonly name = 'memory';
  private readonly index = new MemoryIndex();
  private state: State = 'cold';
  private loading: Promise<void> | undefined;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private lastSync = 0;
  private accessoryCache: { revision: number; size: number; categories: Set<number>; terms: Set<number> } | undefined;
  /** Recent answers by query, valid for one index revision (a live shop repeats its popular searches). */
  private readonly answers = new LRUCache<string, EngineResult>({ max: ANSWER_CACHE_ENTRIES });
  private readonly suggestions = new LRUCache<string, Suggestions>({ max: ANSWER_CACHE_ENTRIES });
  private answersRevision = -1;
  private answersSize = -1;

  constructor(
    private readonly db: Kysely<SearchTables>,
    private readonly options: MemoryEngineOptions,
  ) {}

  /** False only while loading: a cold engine loads on its first request (small indexes, tests); `warm` loads it ahead. */
  ready(): boolean {
    return this.state !== 'loading';
  }

  get documentCount(): number {
    return this.index.size;
  }

  /** Loads the index (once; concurrent callers share the load). */
  warm(onProgress?: (done: number) => void): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    this.loading ??= (async () => {
      this.state = 'loading';
      try {
        await loadAll(this.db, this.index, onProgress);
        await catchUp(this.db, this.index);
        this.lastSync = Date.now();
        this.state = 'ready';
      } catch (error) {
        this.state = 'cold';
        throw error;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  indexChanged(): void {
    this.dirty = true;
    this.options.vocabulary.invalidate();
  }

  async search(query: SearchQuery): Promise<EngineResult> {
    await this.fresh();
    // Answers are reused only while the index is unchanged, so a reused answer is exactly a fresh one.
    this.dropStaleAnswers();
    const key = JSON.stringify(query);
    const known = this.answers.get(key);
    if (known) return known;
    const result = await this.evaluate(query);
    this.answers.set(key, result);
    return result;
  }

  private async evaluate(query: SearchQuery): Promise<EngineResult> {
    const filters = this.resolveFilters(query);
    if (query.words.length === 0) {
      // Browsing: only the documents the category facet can count (the filter's siblings) can show up or count anywhere.
      const scope = filters.categoryScope ?? (filters.categories && filters.categories.size > 0 ? null : filters.categories);
      const candidates = scope ? this.index.slotsInCategories(scope) : Int32Array.from({ length: this.index.slotCount }, (_, i) => i);
      return this.answer(query, filters, candidates, null, { words: [], corrected: false, match: 'all' }, null, []);
    }
    const words = queryContentWords(query.words);
    const exact = this.matchEvery(words);
    if (exact.matches.count > 0) return this.answer(query, filters, exact.matches.slots, exact.rank, { words: query.words, corrected: false, match: 'all' }, null, []);
    const reworded = this.matchReworded(words);
    if (reworded) return this.answer(query, filters, reworded.matches.slots, reworded.rank, { words: reworded.words, corrected: false, match: 'all' }, null, []);

    const correction = (await this.options.vocabulary.get()).correct(words, (w) => this.knows(w));
    const suggestion = correction.changed ? correction.words.join(' ') : null;
    const searched = correction.confident ? correction.words : words;
    if (correction.confident) {
      const corrected = this.matchEvery(searched);
      if (corrected.matches.count > 0) return this.answer(query, filters, corrected.matches.slots, corrected.rank, { words: searched, corrected: true, match: 'all' }, suggestion, []);
      const both = this.matchReworded(searched);
      if (both) return this.answer(query, filters, both.matches.slots, both.rank, { words: both.words, corrected: true, match: 'all' }, suggestion, []);
    }
    const partial = this.matchMost(searched);
    if (partial && partial.matches.count > 0) {
      return this.answer(query, filters, partial.matches.slots, partial.rank, { words: searched, corrected: correction.confident, match: 'any' }, suggestion, []);
    }
    const alternatives = this.alternativesFor(searched, correction.changed && !correction.confident ? correction.words : null);
    return this.answer(query, filters, new Int32Array(0), null, { words: query.words, corrected: false, match: 'all' }, suggestion, alternatives);
  }

  async suggest(words: string[], limit: number): Promise<Suggestions> {
    await this.fresh();
    this.dropStaleAnswers();
    const key = `suggest:${limit}:${words.join(' ')}`;
    const known = this.suggestions.get(key);
    if (known) return known;
    const result = suggestFrom(this.index, words, limit);
    this.suggestions.set(key, result);
    return result;
  }

  /** Reused answers are valid for one index revision only. */
  private dropStaleAnswers(): void {
    if (this.answersRevision === this.index.revision && this.answersSize === this.index.size) return;
    this.answers.clear();
    this.suggestions.clear();
    this.answersRevision = this.index.revision;
    this.answersSize = this.index.size;
  }

  /** Brings the index up to date: at once after this process wrote, else in the background at most every `syncIntervalMs`. */
  private async fresh(): Promise<void> {
    if (this.state !== 'ready') await this.warm();
    if (this.dirty) {
      this.dirty = false;
      try {
        await this.sync();
      } catch (error) {
        this.dirty = true;
        throw error;
      }
    } else if (Date.now() - this.lastSync >= (this.options.syncIntervalMs ?? 1000)) {
      this.sync().catch((error: unknown) => this.options.onError?.(error));
    }
  }

  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        this.lastSync = Date.now();
        await catchUp(this.db, this.index);
        if (this.index.needsCompaction()) this.index.compact();
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private knows(word: string): boolean {
    return this.index.knownTerm(word) !== undefined || synonymsOf(termOf(word)).some((t) => this.index.termId(t) !== undefined);
  }

  /**
   * Other ways to read a query no product matches word for word: two words written as one
   * ("smart watch" → "smartwatch") or one as two ("tshirt" → "t shirt"), and a word's relatives
   * ("charger" also finds "charging"). Tried in that order; the first that matches wins.
   */
  private matchReworded(words: string[]): { words: string[]; matches: Matches; rank: RankContext | null } | null {
    const rewordings: { words: string[]; relatives: boolean }[] = [];
    for (let i = 0; i + 1 < words.length; i++) {
      const joined = words[i]! + words[i + 1]!;
      if (this.knows(joined)) rewordings.push({ words: [...words.slice(0, i), joined, ...words.slice(i + 2)], relatives: false });
    }
    words.forEach((word, i) => {
      if (this.knows(word)) return;
      for (let at = 1; at < word.length - 1; at++) {
        const [a, b] = [word.slice(0, at), word.slice(at)];
        if (this.knows(a) && this.knows(b)) rewordings.push({ words: [...words.slice(0, i), a, b, ...words.slice(i + 1)], relatives: false });
      }
    });
    if (words.some((w) => RELATIVE.test(w))) rewordings.push({ words, relatives: true });
    for (const rewording of rewordings) {
      const found = this.matchEvery(rewording.words, rewording.relatives);
      if (found.matches.count > 0) return { words: rewording.words, ...found };
    }
    return null;
  }

  private slotsFor(words: string[], relatives = false): QuerySlot[] {
    const n = Math.max(1, this.index.size);
    return words.map((word) => {
      const term = termOf(word);
      const related = relatives && RELATIVE.test(word) ? [{ term: termOf(word.slice(0, -2)), weight: RELATIVE_WEIGHT }] : [];
      const alternatives = [{ term, weight: 1 }, ...synonymsOf(term).map((t) => ({ term: t, weight: SYNONYM_WEIGHT })), ...related]
        .map((a) => ({ termId: this.index.termId(a.term), weight: a.weight }))
        .filter((a): a is { termId: number; weight: number } => a.termId !== undefined && this.index.documentFrequency(a.termId) > 0);
      const df = Math.min(...alternatives.map((a) => this.index.documentFrequency(a.termId)), n);
      return { word, alternatives, idf: Math.log(1 + n / (1 + df)) };
    });
  }

  private matchEvery(words: string[], relatives = false): { matches: Matches; rank: RankContext | null } {
    const slots = this.slotsFor(words, relatives);
    if (slots.some((s) => s.alternatives.length === 0)) return { matches: EMPTY, rank: null };
    const matches = matchAll(this.index, slots);
    return { matches, rank: this.rankContext(slots, matches) };
  }

  /**
   * Queries of three or more words that no product has all of: products with at least two
   * thirds of them, including the word naming the product kind when there is one. Shorter
   * queries are not relaxed: one of two words is not a match ("purple elephant").
   */
  private matchMost(words: string[]): { matches: Matches; rank: RankContext } | null {
    if (words.length < 3) return null;
    const slots = this.slotsFor(words);
    const plan = planRanking(this.index, slots.filter((s) => s.alternatives.length > 0));
    const typeWord = plan.typeSlot >= 0 ? plan.slots[plan.typeSlot]!.word : null;
    const required = typeWord === null ? -1 : slots.findIndex((s) => s.word === typeWord);
    const matches = matchAtLeast(this.index, slots, Math.ceil((2 * words.length) / 3), required);
    return { matches, rank: this.rankContext(slots, matches) };
  }

  private rankContext(slots: QuerySlot[], matches: Matches): RankContext {
    const cache = this.accessories();
    return { index: this.index, plan: planRanking(this.index, slots), matches, accessoryCategories: cache.categories, accessoryTermIds: cache.terms };
  }

  private accessories() {
    const c = this.accessoryCache;
    if (c && c.revision === this.index.revision && c.size === this.index.size) return c;
    const terms = new Set([...ACCESSORY_NOUNS].map((t) => this.index.termId(t)).filter((id): id is number => id !== undefined));
    this.accessoryCache = { revision: this.index.revision, size: this.index.size, categories: accessoryCategories(this.index), terms };
    return this.accessoryCache;
  }

  /** Other queries to offer when nothing matched: the unapplied spelling fix, then the query's words alone. */
  private alternativesFor(words: string[], spelled: string[] | null): { text: string; count: number }[] {
    const options: { text: string; count: number }[] = [];
    if (spelled) options.push({ text: spelled.join(' '), count: this.matchEvery(spelled).matches.count });
    if (words.length > 1) {
      for (const word of new Set(words)) options.push({ text: word, count: this.matchEvery([word]).matches.count });
    }
    return options.filter((o) => o.count > 0).slice(0, MAX_SUGGESTIONS);
  }

  private answer(
    query: SearchQuery,
    filters: ResolvedFilters,
    candidates: Int32Array,
    rank: RankContext | null,
    interpretation: QueryInterpretation,
    didYouMean: string | null,
    suggestions: { text: string; count: number }[],
  ): EngineResult {
    const page = selectPage(this.index, query, filters, candidates, rank ? (i) => scoreOf(rank, i) : null);
    return {
      hits: page.slots.map((slot) => hitOf(this.index, slot, page.families)),
      next: page.next,
      facets: page.facets,
      totalCount: page.total,
      didYouMean,
      interpretation,
      suggestions,
    };
  }

  private resolveFilters(query: SearchQuery): ResolvedFilters {
    const brands = query.brands.length === 0 ? null : new Set(query.brands.map((b) => this.index.brandIdOfKey(b)).filter((id): id is number => id !== undefined));
    if (!query.category) return { categories: null, categoryScope: null, brands };
    const resolved = this.resolveCategory(query.category);
    return { categories: new Set(resolved.ids), categoryScope: resolved.siblings === null ? null : new Set(resolved.siblings), brands };
  }

  /** The category and everything below it, and the categories under its parent (where the facet counts); nothing for an unknown one. */
  private resolveCategory(filter: CategoryFilter): { ids: number[]; siblings: number[] | null } {
    const all = [...this.index.categories.values()];
    const selected = 'id' in filter ? this.index.categories.get(filter.id) : all.find((c) => c.slug === filter.slug);
    if (!selected) return { ids: [], siblings: [] };
    const under = (path: string) => all.filter((c) => c.path === path || c.path.startsWith(`${path}/`)).map((c) => c.id);
    const parent = selected.path.includes('/') ? selected.path.slice(0, selected.path.lastIndexOf('/')) : null;
    return { ids: under(selected.path), siblings: parent === null ? null : under(parent) };
  }
}

const EMPTY: Matches = { slots: new Int32Array(0), count: 0, masks: new Uint8Array(0), weights: new Float32Array(0) };
