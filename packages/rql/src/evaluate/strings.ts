/**
 * String semantics of RQL: code-point order, the [c] and [d] modifiers, and LIKE patterns.
 * The SQL compiler relies on two properties of `foldCase` stated below; change them together.
 */

/**
 * Compares strings by Unicode code point (the order of their UTF-8 bytes, which is what SQLite's
 * BINARY collation and PostgreSQL's "C" collation use), not by UTF-16 code unit.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return Math.sign(codePointRank(x) - codePointRank(y));
  }
  return Math.sign(a.length - b.length);
}

/** Moves surrogates (U+D800–DFFF) above U+E000–FFFF so that code-unit order becomes code-point order. */
function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

const NON_ASCII = /[^\p{ASCII}]/u;
const ANY_ASCII = /\p{ASCII}/u;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Case folding for [c]: each character to its lower case, except that a non-ASCII character never
 * folds into ASCII (the Kelvin sign stays itself rather than becoming "k"). Hence an ASCII needle
 * matches exactly the texts whose ASCII letters match it, which is what SQL's ASCII `lower()` sees.
 */
export function foldCase(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  let out = "";
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const intoAscii = ch.charCodeAt(0) > 0x7f && ANY_ASCII.test(lower);
    out += intoAscii ? ch : lower;
  }
  return out;
}

/** Removes diacritics for [d]: decompose, drop combining marks, recompose. */
export function stripDiacritics(text: string): string {
  if (isAscii(text)) return text;
  return text.normalize("NFD").replace(/\p{M}/gu, "").normalize("NFC");
}

export interface StringModifiers {
  caseInsensitive: boolean;
  diacriticInsensitive: boolean;
}

export function normaliseForMatch(text: string, modifiers: StringModifiers): string {
  let out = modifiers.diacriticInsensitive ? stripDiacritics(text) : text;
  if (modifiers.caseInsensitive) out = foldCase(out);
  return out;
}

const likeCache = new Map<string, RegExp>();

/** RQL LIKE: `*` matches any run of characters, `?` exactly one character (code point). */
export function likeToRegExp(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (re === undefined) {
    let source = "";
    for (const ch of pattern) {
      if (ch === "*") source += "[^]*";
      else if (ch === "?") source += "[^]";
      else source += ch.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
    }
    re = new RegExp(`^${source}$`, "u");
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(pattern, re);
  }
  return re;
}
