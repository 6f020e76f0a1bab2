/** Words of a text, lower-cased; punctuation and markup are not words. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** Distinct words over all words: 1 for varied text, near 0 for a loop of the same phrase. */
export function uniqueWordRatio(words: readonly string[]): number {
  return words.length === 0 ? 1 : new Set(words).size / words.length;
}
