import { sql, type Kysely } from 'kysely';

/** Edit distance counting an adjacent swap as one edit ("shoes" ↔ "sheos"): optimal string alignment. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Edits a word of this length may be away from a known word to be corrected without asking. */
export const confidentDistance = (length: number): number => (length >= 8 ? 2 : length >= 4 ? 1 : 0);

export interface Candidate {
  word: string;
  term: string;
  similarity: number;
  frequency: number;
}

export interface Correction {
  words: string[];
  /** Some word was replaced. */
  changed: boolean;
  /** Every replacement is close enough to apply without asking (else it is only suggested). */
  confident: boolean;
}

/**
 * Picks, for each query word the vocabulary does not know, the nearest known word: fewest
 * edits, then trigram similarity, then how common it is. Known words, short words and numbers
 * are left alone.
 */
export function chooseCorrections(words: string[], candidates: Candidate[]): Correction {
  let changed = false;
  let confident = true;
  const corrected = words.map((word) => {
    const mine = candidates.filter((c) => c.word === word);
    if (mine.length === 0 || mine.some((c) => c.term === word)) return word;
    const ranked = mine
      .map((c) => ({ ...c, distance: editDistance(word, c.term) }))
      .sort((a, b) => a.distance - b.distance || b.similarity - a.similarity || b.frequency - a.frequency || (a.term < b.term ? -1 : 1));
    const best = ranked[0]!;
    changed = true;
    if (best.distance > confidentDistance(word.length)) confident = false;
    return best.term;
  });
  return { words: corrected, changed, confident: changed && confident };
}

const CORRECTABLE = /^(?=.*\p{L}).{3,40}$/u;

/** Trigram neighbours of the correctable words in the vocabulary (`%` uses the GIN trigram index). */
export async function findCandidates(db: Kysely<any>, words: string[]): Promise<Candidate[]> {
  const correctable = [...new Set(words.filter((w) => CORRECTABLE.test(w)))];
  if (correctable.length === 0) return [];
  const { rows } = await sql<{ word: string; term: string; similarity: number; frequency: number }>`
    select w.word, t.term, t.similarity, t.frequency
    from unnest(array[${sql.join(correctable.map((w) => sql`${w}::text`))}]) as w(word)
    cross join lateral (
      select term, similarity(term, w.word) as similarity, frequency
      from search_terms
      where term % w.word
      order by similarity(term, w.word) desc, frequency desc
      limit 8
    ) t`.execute(db);
  return rows.map((r) => ({ word: r.word, term: r.term, similarity: Number(r.similarity), frequency: Number(r.frequency) }));
}
