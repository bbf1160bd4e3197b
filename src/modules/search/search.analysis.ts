import stem from 'wink-porter2-stemmer';
import { normalizeText, wordsOf } from './search.query.ts';

/**
 * The text analysis of the search index: how a product's fields and a shopper's query become
 * comparable terms. Runs in the indexer (documents, stored as `search_documents.terms`) and in
 * the engine (queries), so both sides always agree.
 *
 * - Words are folded by `normalizeText`, irregular plurals mapped, then stemmed with Snowball's
 *   English (Porter2) stemmer: "shoes" and "shoe" meet, "knives" and "knife" too.
 * - Each distinct term of a product carries a field mask saying where it occurs. The title is
 *   split into its head (what the product *is*: "Headphone Case" in "Headphone Case for Sonica,
 *   Hard Shell") and the rest; words after "for", "fits" or "compatible with" name what the
 *   product goes with, not what it is.
 * - The head noun is the last content word of the title head ("case"), skipping model words,
 *   sizes and colours ("Apple iPhone 15 Pro Max" → "iphone") and container words ("Drill Combo
 *   Kit" → "drill").
 */

export const FIELD = {
  /** The title head's head noun: the kind of product. */
  headNoun: 1,
  /** Any word of the title head. */
  head: 2,
  /** Elsewhere in the title (features after a comma, "with …"). */
  title: 4,
  /** In the title after "for" / "fits" / "compatible with": what the product is for. */
  target: 8,
  brand: 16,
  /** The product's own (leaf) category name. */
  category: 32,
  /** A category above it. */
  parentCategory: 64,
  /** Description and attribute values. */
  body: 128,
} as const;

/** Irregular plurals the stemmer leaves apart ("knives" → "knive"). */
const IRREGULAR: Record<string, string> = {
  knives: 'knife', wives: 'wife', leaves: 'leaf', shelves: 'shelf', loaves: 'loaf', halves: 'half', scarves: 'scarf',
  wolves: 'wolf', calves: 'calf', mice: 'mouse', feet: 'foot', teeth: 'tooth', geese: 'goose', children: 'child',
  people: 'person', dice: 'die', batteries: 'battery', accessories: 'accessory',
};

const stems = new Map<string, string>();

/** A normalized word's index term: irregular plural mapped, then stemmed; numbers and model codes as they are. */
export function termOf(word: string): string {
  let term = stems.get(word);
  if (term === undefined) {
    const base = IRREGULAR[word] ?? word;
    // Plurals of vowelless abbreviations: "tvs", "dvds", "pcs" (Porter2 keeps their s).
    term = /\d/.test(base) ? base : /^[^aeiouy]{2,}s$/.test(base) ? base.slice(0, -1) : stem(base);
    if (stems.size < 200_000) stems.set(word, term);
  }
  return term;
}

/** Words that say nothing about what is wanted. Prices ("under $50") are read before this. */
export const STOP_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'as', 'is', 'are', 'be', 'it',
  'its', 'this', 'that', 'these', 'those', 'my', 'your', 'our', 'their', 'me', 'i', 'we', 'you', 'very', 'so', 'than',
  'into', 'onto', 'per', 'some', 'any', 'in',
]);

/**
 * Query-side synonyms: a query word also matches its group's other words (at a slightly lower
 * weight). Deliberately few and unambiguous; a shop adds its own as it learns its customers.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['tv', 'television'],
  ['phone', 'smartphone', 'cellphone'],
  ['earbuds', 'earphones'],
  ['headphones', 'headset'],
  ['sofa', 'couch'],
  ['bike', 'bicycle'],
  ['fridge', 'refrigerator'],
  ['sneakers', 'trainers'],
  ['pants', 'trousers'],
  ['hoodie', 'sweatshirt'],
  ['handbag', 'purse'],
  ['laptop', 'notebook'],
];

/** Head nouns of things that go with another product. Used only when the query does not name them. */
export const ACCESSORY_NOUNS = new Set(
  [
    'case', 'cover', 'sleeve', 'pouch', 'skin', 'protector', 'mount', 'bracket', 'stand', 'holder', 'cradle', 'dock',
    'charger', 'cable', 'cord', 'adapter', 'adaptor', 'strap', 'band', 'remote', 'replacement', 'refill', 'filter',
    'cartridge', 'earpad', 'cushion', 'tip', 'insole', 'lace', 'stake', 'footprint', 'grip', 'lens', 'bag', 'tripod',
    'battery', 'pad', 'bumper', 'clip', 'part', 'accessory', 'attachment', 'blade', 'nozzle', 'jar', 'lid', 'liner',
  ].map((w) => termOf(w)),
);

/** Words of a category name that make it an accessory category ("Phone Cases", "TV Mounts", "Camera Accessories"). */
export const ACCESSORY_CATEGORY_WORDS = new Set(
  ['accessory', 'case', 'cover', 'mount', 'charger', 'cable', 'part', 'protector', 'strap', 'band', 'sleeve', 'filter', 'refill', 'replacement', 'adapter', 'stand']
    .map((w) => termOf(w)),
);

/** Words at the end of a title head that are not the product's kind: model names, sizes, colours. */
const NOT_A_HEAD = new Set([
  'pro', 'max', 'plus', 'ultra', 'mini', 'lite', 'air', 'se', 'gen', 'generation', 'edition', 'series', 'new', 'model',
  'xl', 'xxl', 'xs', 's', 'm', 'l', 'inch', 'inches', 'in', 'ft', 'feet', 'oz', 'lb', 'lbs', 'gb', 'tb', 'mm', 'cm', 'qt',
  'count', 'pcs', 'pc', 'piece', 'pieces', 'black', 'white', 'blue', 'red', 'green', 'silver', 'gray', 'grey', 'gold',
  'pink', 'purple', 'yellow', 'orange', 'brown', 'beige', 'navy', 'graphite', 'titanium', 'midnight', 'starlight',
  'large', 'small', 'medium', 'mens', 'womens', 'men', 'women', 'kids', 'unisex', 'size', 'version', 'class', 'uhd', 'hd',
  'fhd', 'qhd', 'oled', 'qled', 'led', 'lcd', 'smart', 'wireless', 'portable', 'bluetooth', 'usb', 'wifi', 'deluxe',
  'premium', 'classic', 'original', 'essential', 'essentials', 'advanced', 'compact', 'elite', 'signature', 'limited',
  'special', 'standard', 'professional', 'plus', 'edition', 'next', 'go', 'sport', 'studio', 'one',
]);
/** Words naming a bundle of the thing before them: "Cookware Set", "Drill Combo Kit", "Figure 2-Pack". */
const CONTAINERS = new Set(['set', 'kit', 'pack', 'bundle', 'combo', 'pair', 'collection', 'lot', 'assortment']);

/** Where the title head ends: punctuation separators and the words that start a target or an extra. */
const HEAD_END = /\s[-–—|/]\s|[,([\]:;]|\s(?:for|fits|compatible with|designed for|made for|with)\s/iu;
/** Where the target part starts ("for iPhone 15"). */
const TARGET_START = /\s(?:for|fits|compatible with|designed for|made for)\s/iu;

const contentWords = (text: string): string[] => wordsOf(text).filter((w) => !STOP_WORDS.has(w));

/**
 * The pieces of a word that mixes letters and digits, cut where one turns into the other:
 * "1000xm5" → 1000, xm, 5, 1000xm, xm5; "watch6" → watch, 6. None for other words.
 */
export function modelParts(word: string): string[] {
  if (!/\d/.test(word) || !/\p{L}/u.test(word)) return [];
  const runs = word.match(/\p{L}+|\d+/gu) ?? [];
  const parts = new Set(runs);
  let offset = 0;
  for (const run of runs.slice(0, -1)) {
    offset += run.length;
    parts.add(word.slice(0, offset));
    parts.add(word.slice(offset));
  }
  parts.delete(word);
  return [...parts];
}

/** Units after a number: "65 inch tv" asks for a 65" TV, whose title has no word "inch". */
const UNITS = new Set(['inch', 'inches', 'in', 'ft', 'feet', 'foot', 'oz', 'ounce', 'ounces', 'lb', 'lbs', 'pound', 'pounds', 'mm', 'cm', 'qt', 'quart']);

/** The query words that carry meaning: stop words and units after a number dropped (a query of stop words only keeps them). */
export function queryContentWords(words: string[]): string[] {
  const content = words.filter((w, i) => !STOP_WORDS.has(w) && !(UNITS.has(w) && i > 0 && /^\d+$/.test(words[i - 1]!)));
  return content.length > 0 ? content : words;
}

/** The head noun among a title head's words, as typed (normalized), or null. */
export function headNounOf(headWords: string[]): string | null {
  let end = headWords.length;
  while (end > 0 && CONTAINERS.has(headWords[end - 1]!)) end--;
  for (let i = end - 1; i >= 0; i--) {
    const w = headWords[i]!;
    if (!/\d/.test(w) && w.length > 1 && !NOT_A_HEAD.has(w) && !STOP_WORDS.has(w)) return w;
  }
  // A title of model words and containers only ("Pro Max Set"): take the last real word.
  const fallback = headWords.filter((w) => !/\d/.test(w) && !STOP_WORDS.has(w)).at(-1);
  return fallback ?? null;
}

export interface TitleParts {
  head: string;
  /** After "for …" in the title (what it goes with), else ''. */
  target: string;
  /** Everything else of the title. */
  rest: string;
}

/** Splits a title into its head, its target ("for …") and the rest. */
export function splitTitle(title: string): TitleParts {
  // Marketplace titles that start with the target ("For iPhone 15 Case, Shockproof"): the words are the head.
  const padded = ` ${title.replace(/\s+/g, ' ').trim().replace(/^(?:for|fits|compatible with)\s+/iu, '')} `;
  const end = HEAD_END.exec(padded);
  const head = end ? padded.slice(0, end.index) : padded;
  const after = end ? padded.slice(end.index) : '';
  const targetMatch = TARGET_START.exec(after);
  if (!targetMatch) return { head: head.trim(), target: '', rest: after.trim() };
  const targetText = after.slice(targetMatch.index + targetMatch[0].length);
  // The target runs to the next separator; what follows it is ordinary title text again.
  const stop = /[,([\]:;|]|\s[-–—]\s/u.exec(targetText);
  return {
    head: head.trim(),
    target: (stop ? targetText.slice(0, stop.index) : targetText).trim(),
    rest: `${after.slice(0, targetMatch.index)} ${stop ? targetText.slice(stop.index) : ''}`.trim(),
  };
}

export interface DocumentFields {
  title: string;
  brand: string | null;
  /** Category names from the root to the product's own category. */
  categories: string[];
  /** Description and attribute values. */
  body: string;
}

export interface DocumentAnalysis {
  /** term → FIELD bits where it occurs. */
  terms: Map<string, number>;
  /** The head noun's term, or null. */
  headNoun: string | null;
}

/** Analyzes one product for the index. */
export function analyzeDocument(fields: DocumentFields): DocumentAnalysis {
  const terms = new Map<string, number>();
  const put = (t: string, bit: number) => terms.set(t, (terms.get(t) ?? 0) | bit);
  const add = (words: string[], bit: number) => {
    for (const w of words) {
      put(termOf(w), bit);
      // "Watch6", "XM5", "S24": also findable as "watch 6", "xm 5", "s 24" and "watch".
      for (const part of modelParts(w)) put(termOf(part), bit);
    }
  };
  const parts = splitTitle(fields.title);
  const headWords = contentWords(parts.head);
  const noun = headNounOf(headWords);
  add(headWords, FIELD.head);
  add(contentWords(parts.rest), FIELD.title);
  add(contentWords(parts.target), FIELD.target);
  add(contentWords(fields.brand ?? ''), FIELD.brand);
  const own = fields.categories.at(-1);
  if (own !== undefined) add(contentWords(own), FIELD.category);
  for (const name of fields.categories.slice(0, -1)) add(contentWords(name), FIELD.parentCategory);
  add(contentWords(fields.body), FIELD.body);
  const headNoun = noun === null ? null : termOf(noun);
  if (headNoun !== null) terms.set(headNoun, (terms.get(headNoun) ?? 0) | FIELD.headNoun);
  return { terms, headNoun };
}

/** `search_documents.terms`: "term:mask term:mask …" (terms never contain spaces or colons). */
export const encodeTerms = (terms: Map<string, number>): string => [...terms].map(([t, m]) => `${t}:${m}`).join(' ');

export function decodeTerms(encoded: string, each: (term: string, mask: number) => void): void {
  if (encoded === '') return;
  for (const pair of encoded.split(' ')) {
    const colon = pair.lastIndexOf(':');
    each(pair.slice(0, colon), Number(pair.slice(colon + 1)));
  }
}

const synonymsByTerm = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
  const terms = group.map((w) => termOf(normalizeText(w)));
  for (const t of terms) synonymsByTerm.set(t, [...new Set([...(synonymsByTerm.get(t) ?? []), ...terms.filter((o) => o !== t)])]);
}

/** The other terms a query term also matches. */
export const synonymsOf = (term: string): string[] => synonymsByTerm.get(term) ?? [];

/** The head noun of a category name ("Running Shoes" → "shoe", "TV Mounts" → "mount"), as a term. */
export function categoryHeadTerm(name: string): string | null {
  const noun = headNounOf(contentWords(name.split('&')[0] ?? name));
  return noun === null ? null : termOf(noun);
}

/** Whether a category name marks it as an accessory category ("Phone Cases", "Camera Accessories"). */
export const isAccessoryCategoryName = (name: string): boolean => contentWords(name).some((w) => ACCESSORY_CATEGORY_WORDS.has(termOf(w)));
