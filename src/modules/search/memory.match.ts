import type { MemoryIndex } from './memory.index.ts';

/**
 * Text matching over the memory index. A query is a list of slots, one per query word; a slot
 * matches a document through any of its alternative terms (the word, its synonyms). `matchAll`
 * finds documents matching every slot, `matchAtLeast` those matching at least `k` slots
 * (including a required one); both return, per document, the field mask each slot matched with.
 */

export interface QueryTerm {
  termId: number;
  /** 1 for the word itself, lower for a synonym. */
  weight: number;
}

export interface QuerySlot {
  word: string;
  alternatives: QueryTerm[];
  /** Inverse document frequency of the slot (its rarest alternative decides). */
  idf: number;
}

export interface Matches {
  slots: Int32Array;
  count: number;
  /** `masks[i * slotCount + s]`: FIELD bits slot `s` matched in document `slots[i]` (0 = not matched). */
  masks: Uint8Array;
  /** Synonym weight the slot matched with, parallel to `masks`. */
  weights: Float32Array;
}

/** Scratch space reused across queries (the engine is single-threaded): marks per document slot. */
class Scratch {
  stamp = new Int32Array(0);
  mask = new Uint8Array(0);
  weight = new Float32Array(0);
  count = new Uint8Array(0);
  private generation = 0;

  next(size: number): number {
    if (this.stamp.length < size) {
      const capacity = Math.max(size, this.stamp.length * 2);
      this.stamp = new Int32Array(capacity);
      this.mask = new Uint8Array(capacity);
      this.weight = new Float32Array(capacity);
      this.count = new Uint8Array(capacity);
      this.generation = 0;
    }
    if (++this.generation === 0x7fffffff) {
      this.stamp.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }
}
const scratch = new Scratch();
const perSlot = new Scratch();

const slotSize = (index: MemoryIndex, slot: QuerySlot) => slot.alternatives.reduce((n, a) => n + index.postings(a.termId).length, 0);

/** Marks every live document of one slot in `perSlot` (mask and weight of its best alternative). */
function markSlot(index: MemoryIndex, slot: QuerySlot): number {
  const generation = perSlot.next(index.slotCount);
  for (const alt of slot.alternatives) {
    const p = index.postings(alt.termId);
    for (let i = 0; i < p.length; i++) {
      const doc = p.slots[i]!;
      if (!index.alive[doc]) continue;
      if (perSlot.stamp[doc] !== generation) {
        perSlot.stamp[doc] = generation;
        perSlot.mask[doc] = p.masks[i]!;
        perSlot.weight[doc] = alt.weight;
      } else if (alt.weight > perSlot.weight[doc]!) {
        perSlot.mask[doc] = p.masks[i]!;
        perSlot.weight[doc] = alt.weight;
      } else if (alt.weight === perSlot.weight[doc]) {
        perSlot.mask[doc]! |= p.masks[i]!;
      }
    }
  }
  return generation;
}

/** Documents matching every slot. */
export function matchAll(index: MemoryIndex, slots: QuerySlot[]): Matches {
  const n = slots.length;
  const order = slots.map((s, i) => ({ i, size: slotSize(index, s) })).sort((a, b) => a.size - b.size);
  // The rarest slot seeds the candidates; each further slot filters them.
  let generation = markSlot(index, slots[order[0]!.i]!);
  let docs: number[] = [];
  const first = slots[order[0]!.i]!;
  const seen = scratch.next(index.slotCount);
  for (const alt of first.alternatives) {
    const p = index.postings(alt.termId);
    for (let i = 0; i < p.length; i++) {
      const doc = p.slots[i]!;
      if (perSlot.stamp[doc] === generation && scratch.stamp[doc] !== seen) {
        scratch.stamp[doc] = seen;
        docs.push(doc);
      }
    }
  }
  docs.sort((a, b) => a - b);
  let masks = new Uint8Array(docs.length * n);
  let weights = new Float32Array(docs.length * n);
  const record = (target: number, doc: number, s: number) => {
    masks[target * n + s] = perSlot.mask[doc]!;
    weights[target * n + s] = perSlot.weight[doc]!;
  };
  docs.forEach((doc, k) => record(k, doc, order[0]!.i));
  for (let o = 1; o < order.length && docs.length > 0; o++) {
    const s = order[o]!.i;
    generation = markSlot(index, slots[s]!);
    const kept: number[] = [];
    const keptMasks = new Uint8Array(docs.length * n);
    const keptWeights = new Float32Array(docs.length * n);
    for (let k = 0; k < docs.length; k++) {
      const doc = docs[k]!;
      if (perSlot.stamp[doc] !== generation) continue;
      const target = kept.length;
      keptMasks.set(masks.subarray(k * n, k * n + n), target * n);
      keptWeights.set(weights.subarray(k * n, k * n + n), target * n);
      kept.push(doc);
      keptMasks[target * n + s] = perSlot.mask[doc]!;
      keptWeights[target * n + s] = perSlot.weight[doc]!;
    }
    docs = kept;
    masks = keptMasks;
    weights = keptWeights;
  }
  return { slots: Int32Array.from(docs), count: docs.length, masks: masks.subarray(0, docs.length * n), weights: weights.subarray(0, docs.length * n) };
}

/** Documents matching at least `k` slots, `required` (a slot index, or -1) among them. */
export function matchAtLeast(index: MemoryIndex, slots: QuerySlot[], k: number, required: number): Matches {
  const n = slots.length;
  const seen = scratch.next(index.slotCount);
  const docs: number[] = [];
  for (let s = 0; s < n; s++) {
    const generation = markSlot(index, slots[s]!);
    for (const alt of slots[s]!.alternatives) {
      const p = index.postings(alt.termId);
      for (let i = 0; i < p.length; i++) {
        const doc = p.slots[i]!;
        if (perSlot.stamp[doc] !== generation) continue;
        // Count each slot once per document: the stamp is cleared by re-stamping with -generation.
        perSlot.stamp[doc] = -generation;
        if (scratch.stamp[doc] !== seen) {
          scratch.stamp[doc] = seen;
          scratch.count[doc] = 0;
          docs.push(doc);
        }
        scratch.count[doc]!++;
      }
    }
  }
  const kept = docs.filter((doc) => scratch.count[doc]! >= k).sort((a, b) => a - b);
  const masks = new Uint8Array(kept.length * n);
  const weights = new Float32Array(kept.length * n);
  const position = new Map(kept.map((doc, i) => [doc, i]));
  for (let s = 0; s < n; s++) {
    const generation = markSlot(index, slots[s]!);
    for (const [doc, i] of position) {
      if (perSlot.stamp[doc] !== generation) continue;
      masks[i * n + s] = perSlot.mask[doc]!;
      weights[i * n + s] = perSlot.weight[doc]!;
    }
  }
  if (required < 0) return { slots: Int32Array.from(kept), count: kept.length, masks, weights };
  const withRequired: number[] = [];
  for (let i = 0; i < kept.length; i++) if (masks[i * n + required]! > 0) withRequired.push(i);
  const rMasks = new Uint8Array(withRequired.length * n);
  const rWeights = new Float32Array(withRequired.length * n);
  withRequired.forEach((i, j) => {
    rMasks.set(masks.subarray(i * n, i * n + n), j * n);
    rWeights.set(weights.subarray(i * n, i * n + n), j * n);
  });
  return { slots: Int32Array.from(withRequired.map((i) => kept[i]!)), count: withRequired.length, masks: rMasks, weights: rWeights };
}
