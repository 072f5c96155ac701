/**
 * What differs between the SQL engines the compiler targets. Everything else (which test a
 * comparison becomes, null semantics, quantifiers) lives once in the compiler.
 *
 * Every boolean a dialect returns is two-valued (never SQL NULL), so that NOT and OR in the
 * compiled statement behave as RQL's do.
 */
export interface SqlDialect {
  readonly name: "sqlite" | "postgres";
  readonly true: string;
  readonly false: string;
  /** placeholder for the n-th parameter (1-based), with the cast it needs, and the value to bind */
  parameter(
    n: number,
    value: number | string,
    kind: "json-number" | "text" | "count",
  ): { sql: string; value: unknown };
  /** whether the JSON value at `source` has one of these JSON types (false when it is missing) */
  hasJsonType(source: JsonSource, types: readonly JsonType[]): string;
  /** the JSON value at `source` as something that orders numerically against a "json-number" parameter */
  numberValue(source: JsonSource): string;
  /** the JSON string at `source` as SQL text */
  textValue(source: JsonSource): string;
  /**
   * A test, usable through an index on the value at `source`, that passes for every JSON object
   * there (and possibly more; never used alone): lets an engine serve the wrapped-number branches
   * of a comparison from the same index as the plain branch.
   */
  objectRange(source: JsonSource): string;
  /** a decimal integer in text (an EJSON `$numberLong`) as an SQL number; NULL when it is not one */
  integerFromText(text: string): string;
  /** an EJSON `$numberDouble` text ("1e+300", "-0.0", "Infinity", "NaN") as an SQL number; NULL for NaN */
  doubleFromText(text: string): string;
  /** `text` made to compare by code point (byte order of UTF-8) */
  ordered(text: string): string;
  /** ASCII-only lower case: the compiler only uses it with ASCII needles */
  lowerAscii(text: string): string;
  /** length of the text in UTF-8 bytes */
  byteLength(text: string): string;
  beginsWith: (text: string, needle: () => string) => string;
  endsWith: (text: string, needle: () => string) => string;
  contains: (text: string, needle: () => string) => string;
  // The string tests take the needle as a function that binds a fresh parameter on each call,
  // since positional parameters cannot be referenced twice.
  /** RQL LIKE: the pattern value to bind for an RQL pattern (`*`, `?`), and the test */
  likePattern(pattern: string): string;
  like(text: string, pattern: string): string;
  /** the number of elements of the JSON array at `source`, 0 when it is not an array */
  arrayLength(source: JsonSource): string;
  /** a FROM item that yields one row per element of the JSON array at `source` (none when it is not an array) */
  elements(source: JsonSource, alias: string): { from: string; element: JsonSource };
}

export type JsonType = "number" | "string" | "true" | "false" | "null" | "object" | "array";

/** A place inside the stored document: the document column, or an array element, then object keys. */
export interface JsonSource {
  readonly document: string;
  readonly element: string | undefined;
  readonly keys: readonly string[];
}

export function child(source: JsonSource, key: string): JsonSource {
  return { ...source, keys: [...source.keys, key] };
}

/** An SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
