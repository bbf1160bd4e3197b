import { ACCESSORY_NOUNS, FIELD } from './search.analysis.ts';
import type { MemoryIndex } from './memory.index.ts';
import type { Matches, QuerySlot } from './memory.match.ts';

/**
 * Relevance of a text match: what the shopper asked for, not just which words occur.
 *
 * score = text × kind × intent × accessory × closeness × popularity, where
 * - text: the query words' best fields (head noun ≫ title head ≫ brand ≫ rest of the title ≫
 *   category ≫ "for …" target ≫ description), weighted by how rare each word is;
 * - kind: the product's head noun (or its category's) is a query word: "case" in "iphone case";
 * - intent: the query's product-type words point at categories, learned from the index (the
 *   categories whose products have that word as their head noun, or whose name it is);
 * - accessory: a case, mount, charger… that the query does not name is pushed down;
 * - closeness: a title head the query covers more of ("iPhone 15" over "iPhone 15 Pro Max");
 * - popularity: rating × log(reviews), a gentle tie-breaker between equals.
 */

const FIELD_WEIGHTS: [number, number][] = [
  [FIELD.headNoun, 1],
  [FIELD.head, 0.85],
  [FIELD.brand, 0.8],
  [FIELD.title, 0.6],
  [FIELD.category, 0.5],
  [FIELD.target, 0.35],
  [FIELD.parentCategory, 0.3],
  [FIELD.body, 0.2],
];
const fieldWeight = new Float32Array(256);
for (let mask = 1; mask < 256; mask++) fieldWeight[mask] = Math.max(...FIELD_WEIGHTS.filter(([bit]) => mask & bit).map(([, w]) => w));

/** Share of a term's documents that have it as head noun, above which the term names a kind of product. */
const TYPE_SHARE = 0.1;
const NOT_THE_KIND = 0.6;
const CATEGORY_KIND = 0.8;
/** The kind word in the title head, but not as its head noun ("AirPods Case Cover" for "airpods case"). */
const IN_HEAD_KIND = 0.9;
/** The head noun is another word of the query: "airpods" in "airpods case" is what the case is for. */
const MODIFIER_KIND = 0.8;
/** Kind words before the last one count this much towards the intent ("airpods" in "airpods case"). */
const EARLIER_KIND_WEIGHT = 0.25;
const OTHER_CATEGORY = 0.45;
const UNNAMED_ACCESSORY = 0.35;
const ACCESSORY_CATEGORY_SHARE = 0.5;

export interface RankPlan {
  slots: QuerySlot[];
  /** Every term id of the query (words and synonyms). */
  terms: Set<number>;
  /** Category id → intent in [0, 1]; null when no query word names a kind of product. */
  intent: Map<number, number> | null;
  /** Index of the slot naming the product kind (the last such), or -1. */
  typeSlot: number;
}

/** How strongly a slot names a kind of product: the share of its documents with it as head noun, or 1 when a category is named after it. */
function typeStrength(index: MemoryIndex, slot: QuerySlot): number {
  let best = 0;
  for (const alt of slot.alternatives) {
    const df = index.documentFrequency(alt.termId);
    if (df > 0) best = Math.max(best, (index.headDocs.get(alt.termId) ?? 0) / df);
  }
  for (const c of index.categories.values()) {
    if (c.headTerm !== null && slot.alternatives.some((a) => index.termId(c.headTerm!) === a.termId) && (index.categoryDocs.get(c.id) ?? 0) > 0) best = 1;
  }
  return best;
}

/** Categories a slot's kind word points at: its head-noun documents per category, plus the categories named after it. */
function categoriesOf(index: MemoryIndex, slot: QuerySlot): Map<number, number> {
  const weights = new Map<number, number>();
  const add = (category: number, n: number) => weights.set(category, (weights.get(category) ?? 0) + n);
  for (const alt of slot.alternatives) {
    for (const [category, n] of index.headCategoryDocs.get(alt.termId) ?? []) add(category, n * alt.weight);
    for (const c of index.categories.values()) {
      if (c.headTerm !== null && index.termId(c.headTerm) === alt.termId) add(c.id, (index.categoryDocs.get(c.id) ?? 0) * alt.weight);
    }
  }
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  if (total > 0) for (const [c, w] of weights) weights.set(c, w / total);
  return weights;
}

/** Works out the query's product kind and category intent from the index's statistics. */
export function planRanking(index: MemoryIndex, slots: QuerySlot[]): RankPlan {
  const terms = new Set(slots.flatMap((s) => s.alternatives.map((a) => a.termId)));
  const strengths = slots.map((s) => typeStrength(index, s));
  const typeSlots = strengths.map((s, i) => (s >= TYPE_SHARE ? i : -1)).filter((i) => i >= 0);
  if (typeSlots.length === 0) return { slots, terms, intent: null, typeSlot: -1 };
  const intent = new Map<number, number>();
  // English names the kind last ("running shoe", "iphone case"): the last kind word counts most.
  typeSlots.forEach((s, rank) => {
    const weight = strengths[s]! * (rank === typeSlots.length - 1 ? 1 : EARLIER_KIND_WEIGHT);
    for (const [category, p] of categoriesOf(index, slots[s]!)) intent.set(category, (intent.get(category) ?? 0) + weight * p);
  });
  const top = Math.max(...intent.values(), 0);
  if (top > 0) for (const [c, w] of intent) intent.set(c, w / top);
  return { slots, terms, intent, typeSlot: typeSlots.at(-1)! };
}

/** Whether documents of a category are accessories: its name says so, or most of its products' head nouns are accessory nouns. */
export function accessoryCategories(index: MemoryIndex): Set<number> {
  const accessoryTerms = [...ACCESSORY_NOUNS].map((t) => index.termId(t)).filter((id): id is number => id !== undefined);
  const result = new Set<number>();
  for (const [category, docs] of index.categoryDocs) {
    if (index.categories.get(category)?.accessoryName) {
      result.add(category);
      continue;
    }
    const accessoryDocs = accessoryTerms.reduce((n, t) => n + (index.headCategoryDocs.get(t)?.get(category) ?? 0), 0);
    if (docs > 0 && accessoryDocs / docs >= ACCESSORY_CATEGORY_SHARE) result.add(category);
  }
  return result;
}

export interface RankContext {
  index: MemoryIndex;
  plan: RankPlan;
  matches: Matches;
  accessoryCategories: Set<number>;
  accessoryTermIds: Set<number>;
  /** Per category, worked out once per query: intent factor, named by the query, accessory category. */
  categories?: Map<number, { intent: number; named: boolean; accessory: boolean }>;
  typeTerms?: Set<number>;
}

function categoryFactors(ctx: RankContext, category: number) {
  ctx.categories ??= new Map();
  let factors = ctx.categories.get(category);
  if (!factors) {
    const { index, plan } = ctx;
    const head = index.categories.get(category)?.headTerm;
    const headId = head ? index.termId(head) : undefined;
    factors = {
      intent: plan.intent === null ? 1 : OTHER_CATEGORY + (1 - OTHER_CATEGORY) * (plan.intent.get(category) ?? 0),
      named: headId !== undefined && plan.terms.has(headId),
      accessory: ctx.accessoryCategories.has(category),
    };
    ctx.categories.set(category, factors);
  }
  return factors;
}

/** The relevance score of the i-th match, rounded so keyset cursors compare exactly. */
export function scoreOf(ctx: RankContext, i: number): number {
  const { index, plan, matches } = ctx;
  const doc = matches.slots[i]!;
  const n = plan.slots.length;
  let text = 0;
  let idfSum = 0;
  let covered = 0;
  for (let s = 0; s < n; s++) {
    const slot = plan.slots[s]!;
    idfSum += slot.idf;
    const mask = matches.masks[i * n + s]!;
    if (mask === 0) continue;
    text += slot.idf * fieldWeight[mask]! * matches.weights[i * n + s]!;
    if (mask & (FIELD.head | FIELD.headNoun)) covered++;
  }
  text = idfSum > 0 ? text / idfSum : 0;
  const headTermId = index.head[doc]!;
  const factors = categoryFactors(ctx, index.category[doc]!);
  ctx.typeTerms ??= new Set(plan.typeSlot < 0 ? [] : plan.slots[plan.typeSlot]!.alternatives.map((a) => a.termId));
  const typeMask = plan.typeSlot < 0 ? 0 : matches.masks[i * n + plan.typeSlot]!;
  const headIsKind = headTermId >= 0 && ctx.typeTerms.has(headTermId);
  const headNamed = headTermId >= 0 && plan.terms.has(headTermId);
  const categoryNamed = factors.named;
  // The query's kind word as the product's head noun is the strongest sign; in its title head, or its category's name, weaker ones.
  let kind = NOT_THE_KIND;
  if (plan.typeSlot < 0 || headIsKind) kind = 1;
  else if (typeMask & FIELD.head) kind = IN_HEAD_KIND;
  else if (categoryNamed) kind = CATEGORY_KIND;
  else if (headNamed) kind = MODIFIER_KIND;
  const namesKind = headNamed || categoryNamed || (typeMask & FIELD.head) !== 0;
  const intent = factors.intent;
  const isAccessory = (headTermId >= 0 && ctx.accessoryTermIds.has(headTermId)) || factors.accessory;
  const accessory = isAccessory && !namesKind ? UNNAMED_ACCESSORY : 1;
  const headLength = index.headLength[doc]!;
  const closeness = 1 + 0.15 * (headLength > 0 ? Math.min(1, covered / headLength) : 0);
  const popularity = 1 + 0.08 * Math.log1p(index.popularity[doc]!);
  return Math.round(text * kind * intent * accessory * closeness * popularity * 1e6) / 1e6;
}
