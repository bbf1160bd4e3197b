declare module 'wink-porter2-stemmer' {
  /** Snowball's English (Porter2) stemmer: the stem of one lower-case word. */
  export default function stem(word: string): string;
}
