import { sql, type Kysely } from 'kysely';
import { SYNONYM_GROUPS } from './search.analysis.ts';
import { SpellingCorrector } from './search.spelling.ts';
import type { SearchTables } from './search.tables.ts';

/**
 * The spelling vocabulary (`search_terms`: every word of the catalog with how many products
 * use it) held in memory with its corrector. Reloaded when older than `maxAgeMs` or after this
 * process changed the index (`invalidate`); loading is single-flight.
 */
export class VocabularySnapshot {
  private corrector: SpellingCorrector | undefined;
  private loadedAt = 0;
  private loading: Promise<SpellingCorrector> | undefined;

  constructor(
    private readonly db: Kysely<SearchTables>,
    private readonly maxAgeMs = 60_000,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  async get(): Promise<SpellingCorrector> {
    if (this.corrector && Date.now() - this.loadedAt <= this.maxAgeMs) return this.corrector;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<SpellingCorrector> {
    const { rows } = await sql<{ term: string; frequency: number }>`select term, frequency from search_terms`.execute(this.db);
    const frequencies = new Map(rows.map((r) => [r.term, Number(r.frequency)]));
    // A query may be spelled towards a synonym of a catalog word ("bicyle" → "bicycle", which finds "bike").
    for (const group of SYNONYM_GROUPS) {
      const present = group.map((w) => frequencies.get(w) ?? 0);
      const best = Math.max(...present);
      if (best > 0) group.forEach((w, i) => present[i] === 0 && frequencies.set(w, best));
    }
    const vocabulary = { frequencies };
    if (this.corrector) this.corrector.replaceVocabulary(vocabulary);
    else this.corrector = new SpellingCorrector(vocabulary);
    this.loadedAt = Date.now();
    return this.corrector;
  }
}
