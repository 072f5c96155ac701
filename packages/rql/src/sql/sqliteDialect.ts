import type { JsonSource, JsonType, SqlDialect } from "./dialect.js";
import { sqlString } from "./dialect.js";

const SQLITE_TYPES: Record<JsonType, string[]> = {
  number: ["integer", "real"],
  string: ["text"],
  true: ["true"],
  false: ["false"],
  null: ["null"],
  object: ["object"],
  array: ["array"],
};
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** JSON path text for `keys`, e.g. `.age` or `."$date"`. */
function keysPath(keys: readonly string[]): string {
  return keys.map((key) => (PLAIN_KEY.test(key) ? `.${key}` : `."${key}"`)).join("");
}

/** The path argument of json_extract/json_type: a literal, or built from json_each's fullkey. */
function pathSql(source: JsonSource): string {
  if (source.element === undefined) return sqlString(`$${keysPath(source.keys)}`);
  return source.keys.length === 0
    ? `${source.element}.fullkey`
    : `${source.element}.fullkey || ${sqlString(keysPath(source.keys))}`;
}

function jsonType(source: JsonSource): string {
  return `json_type(${source.document}, ${pathSql(source)})`;
}

/** SQLite with its JSON functions over a TEXT column; compares text in BINARY collation (UTF-8 bytes). */
export const sqliteDialect: SqlDialect = {
  name: "sqlite",
  true: "1",
  false: "0",
  parameter: (_n, value) => ({ sql: "?", value }),
  hasJsonType(source, types) {
    const names = types.flatMap((type) => SQLITE_TYPES[type]).map(sqlString);
    return `ifnull(${jsonType(source)}, '') IN (${names.join(", ")})`;
  },
  numberValue: (source) => `json_extract(${source.document}, ${pathSql(source)})`,
  textValue: (source) => `json_extract(${source.document}, ${pathSql(source)})`,
  // json_extract gives objects as JSON text, and in SQLite every text sorts after every number.
  objectRange: (source) => `json_extract(${source.document}, ${pathSql(source)}) >= ''`,
  integerFromText: (text) => `CAST(${text} AS INTEGER)`,
  // 9e999 is how SQLite spells infinity.
  doubleFromText: (text) =>
    `(CASE ${text} WHEN 'NaN' THEN NULL WHEN 'Infinity' THEN 9e999 WHEN '-Infinity' THEN -9e999 ELSE CAST(${text} AS REAL) END)`,
  ordered: (text) => text,
  lowerAscii: (text) => `lower(${text})`, // SQLite's lower() folds ASCII only (without the ICU extension)
  byteLength: (text) => `length(CAST(${text} AS BLOB))`,
  beginsWith: (text, needle) => `substr(${text}, 1, length(${needle()})) = ${needle()}`,
  // A start before the first character yields a shorter string, which cannot equal the needle.
  endsWith: (text, needle) =>
    `substr(${text}, length(${text}) - length(${needle()}) + 1) = ${needle()}`,
  contains: (text, needle) => `instr(${text}, ${needle()}) > 0`,
  likePattern: (pattern) => pattern.replaceAll("[", "[[]"), // GLOB has RQL's * and ?; [ opens a class
  like: (text, pattern) => `${text} GLOB ${pattern}`,
  arrayLength: (source) => `ifnull(json_array_length(${source.document}, ${pathSql(source)}), 0)`,
  elements(source, alias) {
    const path = pathSql(source);
    return {
      from: `json_each(CASE ${jsonType(source)} WHEN 'array' THEN ${source.document} END, ${path}) AS ${alias}`,
      element: { document: source.document, element: alias, keys: [] },
    };
  },
};
