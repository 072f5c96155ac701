/**
 * Full-text search as `property TEXT 'terms'` defines it. Text is cut into words: maximal runs of
 * letters and digits, compared without case and without diacritics. The search is terms
 * separated by white space: a plain term must occur as a word, `term*` as the start of a word,
 * and `-term` (or `-term*`) must not occur. A term holding punctuation (`e-mail`) stands for each
 * of its words; `*` makes its last word a prefix.
 */
import { RqlBindError } from "../errors.js";

export interface FullTextSearch {
  /** words that must all occur */
  readonly required: readonly string[];
  /** prefixes that must each start some word */
  readonly requiredPrefixes: readonly string[];
  /** words none of which may occur */
  readonly excluded: readonly string[];
  /** prefixes no word may start with */
  readonly excludedPrefixes: readonly string[];
}

const WORD = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}/gu;

/** `text` lower-cased and stripped of diacritics, decomposed (NFD) so that marks come apart. */
function normalise(text: string): string {
  return text.normalize("NFD").toLowerCase().normalize("NFD").replace(MARKS, "");
}

/** The distinct words of a text, normalised. */
export function wordsOf(text: string): Set<string> {
  return new Set(normalise(text).match(WORD) ?? []);
}

/** Reads the search text of a TEXT query; a search without any word is refused. */
export function parseFullTextSearch(search: string): FullTextSearch {
  const required: string[] = [];
  const requiredPrefixes: string[] = [];
  const excluded: string[] = [];
  const excludedPrefixes: string[] = [];
  for (const term of search.split(/\s+/u)) {
    const negative = term.startsWith("-");
    const prefix = term.endsWith("*");
    const words = normalise(term).match(WORD) ?? [];
    const last = prefix ? words.pop() : undefined;
    (negative ? excluded : required).push(...words);
    if (last !== undefined) (negative ? excludedPrefixes : requiredPrefixes).push(last);
  }
  if (required.length + requiredPrefixes.length + excluded.length + excludedPrefixes.length === 0)
    throw new RqlBindError(`TEXT needs at least one word to search for, got '${search}'`);
  return { required, requiredPrefixes, excluded, excludedPrefixes };
}

/** Whether a text (null: no text, hence no words) satisfies the search. */
export function matchesFullText(text: string | null, search: FullTextSearch): boolean {
  const words = text === null ? new Set<string>() : wordsOf(text);
  const startsSome = (prefix: string): boolean => {
    for (const word of words) if (word.startsWith(prefix)) return true;
    return false;
  };
  return (
    search.required.every((word) => words.has(word)) &&
    search.requiredPrefixes.every(startsSome) &&
    !search.excluded.some((word) => words.has(word)) &&
    !search.excludedPrefixes.some(startsSome)
  );
}
