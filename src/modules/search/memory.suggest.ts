import type { MemoryIndex } from './memory.index.ts';
import type { Suggestions } from './search.types.ts';

/**
 * Autocomplete over the memory index: titles whose words include every whole word typed and a
 * word starting with the last one (still being typed), most popular first; brands starting with
 * the text; categories whose name or one of its words starts with it, shallowest first.
 */

let stamp = new Int32Array(0);
let generation = 0;

function nextGeneration(size: number): number {
  if (stamp.length < size) {
    stamp = new Int32Array(Math.max(size, stamp.length * 2));
    generation = 0;
  }
  return ++generation;
}

/** First index in sorted `words` not below `prefix`. */
function lowerBound(words: string[], prefix: string): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function productSuggestions(index: MemoryIndex, words: string[], limit: number): { id: string; title: string }[] {
  const whole = words.slice(0, -1).map((w) => index.wordId(w));
  if (whole.some((id) => id === undefined)) return [];
  const prefix = words.at(-1)!;
  const sorted = index.words();
  const candidates: number[] = [];
  const seen = nextGeneration(index.slotCount);
  for (let i = lowerBound(sorted, prefix); i < sorted.length && sorted[i]!.startsWith(prefix); i++) {
    const postings = index.wordPostingList(index.wordId(sorted[i]!)!);
    for (let p = 0; p < postings.length; p++) {
      const slot = postings.slots[p]!;
      if (index.alive[slot] && stamp[slot] !== seen) {
        stamp[slot] = seen;
        candidates.push(slot);
      }
    }
  }
  let kept = candidates;
  for (const id of whole) {
    const mark = nextGeneration(index.slotCount);
    const postings = index.wordPostingList(id!);
    for (let p = 0; p < postings.length; p++) stamp[postings.slots[p]!] = mark;
    kept = kept.filter((slot) => stamp[slot] === mark);
  }
  const byPopularity = (a: number, b: number) => index.popularity[b]! - index.popularity[a]! || (index.hits[b]!.id < index.hits[a]!.id ? -1 : 1);
  // One suggestion per family: its most popular matching child, under the family's title.
  const bestOfFamily = new Map<number, number>();
  const singles: number[] = [];
  for (const slot of kept) {
    const family = index.family[slot]!;
    if (family < 0) singles.push(slot);
    else if (!bestOfFamily.has(family) || byPopularity(slot, bestOfFamily.get(family)!) < 0) bestOfFamily.set(family, slot);
  }
  const best: number[] = [];
  for (const slot of [...singles, ...bestOfFamily.values()]) {
    if (best.length < limit) best.push(slot);
    else if (byPopularity(slot, best[best.length - 1]!) < 0) best[best.length - 1] = slot;
    else continue;
    best.sort(byPopularity);
  }
  return best.map((slot) => ({ id: index.hits[slot]!.id, title: index.family[slot]! >= 0 ? index.familyTitles[index.family[slot]!]! : index.hits[slot]!.title }));
}

export function suggestFrom(index: MemoryIndex, words: string[], limit: number): Suggestions {
  if (words.length === 0) return { products: [], brands: [], categories: [] };
  const text = words.join(' ');
  const brands = index.brandKeys
    .map((key, id) => ({ key, name: index.brandNames[id]!, count: index.brandCounts[id]! }))
    .filter((b) => b.count > 0 && b.key.startsWith(text))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
    .slice(0, limit)
    .map((b) => ({ name: b.name, count: b.count }));
  const depth = (path: string) => path.split('/').length;
  const categories = [...index.categories.values()]
    .filter((c) => c.nameKey.startsWith(text) || c.nameKey.includes(` ${text}`))
    .sort((a, b) => depth(a.path) - depth(b.path) || a.name.localeCompare(b.name))
    .slice(0, limit)
    .map((c) => ({ id: c.id, name: c.name, path: c.path }));
  return { products: productSuggestions(index, words, limit), brands, categories };
}
