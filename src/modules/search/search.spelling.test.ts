import { describe, expect, it } from 'vitest';
import { editDistance, isConfident, isEnglishWord, SpellingCorrector } from './search.spelling.ts';

const corrector = (words: Record<string, number>) => new SpellingCorrector({ frequencies: new Map(Object.entries(words)) });
const VOCABULARY = { running: 9, runner: 50, shoes: 40, sneakers: 2, wireless: 12, mouse: 8, house: 30, hose: 3, silver: 20, headphones: 11, kettle: 4 };

describe('edit distance', () => {
  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('sheos', 'shoes')).toBe(1);
    expect(editDistance('haedphones', 'headphones')).toBe(1);
    expect(editDistance('runnig', 'running')).toBe(1);
    expect(editDistance('sneekrs', 'sneakers')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('stops early once the bound is exceeded', () => {
    expect(editDistance('kettle', 'laptop', 1)).toBe(2);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
});

describe('spelling correction', () => {
  const known = (w: string) => w in VOCABULARY;

  it('fixes swapped, dropped and doubled letters at once', () => {
    expect(corrector(VOCABULARY).correct(['runnig', 'sheos'], known)).toEqual({ words: ['running', 'shoes'], changed: true, confident: true });
    expect(corrector(VOCABULARY).correct(['wirless', 'moues'], known)).toEqual({ words: ['wireless', 'mouse'], changed: true, confident: true });
    expect(corrector(VOCABULARY).correct(['haedphones'], known).words).toEqual(['headphones']);
    expect(corrector(VOCABULARY).correct(['kettel'], known)).toEqual({ words: ['kettle'], changed: true, confident: true });
  });

  it('only suggests a far or short-word correction', () => {
    expect(corrector(VOCABULARY).correct(['sneekrs'], known)).toEqual({ words: ['sneakers'], changed: true, confident: false });
    // One letter changes a short word into another word: "bose" is not a typo of "hose".
    expect(corrector(VOCABULARY).correct(['bose'], known)).toMatchObject({ confident: false });
  });

  it('never rewrites a correctly spelled English word the catalog lacks', () => {
    expect(isEnglishWord('sliver')).toBe(true);
    expect(isEnglishWord('sheos')).toBe(false);
    const house = corrector({ house: 30 }).correct(['hose'], (w) => w === 'house');
    expect(house).toEqual({ words: ['house'], changed: true, confident: false });
    expect(corrector(VOCABULARY).correct(['sliver'], known)).toMatchObject({ words: ['silver'], confident: false });
  });

  it('leaves known words, numbers, short words and hopeless words alone', () => {
    expect(corrector(VOCABULARY).correct(['running', '42', 'tv', 'xyzzyq'], known)).toEqual({ words: ['running', '42', 'tv', 'xyzzyq'], changed: false, confident: false });
  });

  it('judges single edits by how people mistype', () => {
    expect(isConfident('sheos', 'shoes', 1)).toBe(true);
    expect(isConfident('lapyop', 'laptop', 1)).toBe(true); // y is next to t
    expect(isConfident('lapqop', 'laptop', 1)).toBe(false); // q is not
    expect(isConfident('cofee', 'coffee', 1)).toBe(true);
    expect(isConfident('cse', 'case', 1)).toBe(false);
  });
});
