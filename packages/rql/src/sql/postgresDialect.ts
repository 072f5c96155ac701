import type { JsonSource, SqlDialect } from "./dialect.js";
import { sqlString } from "./dialect.js";

function base(source: JsonSource): string {
  return source.element === undefined ? source.document : `${source.element}.v`;
}

function jsonb(source: JsonSource): string {
  return source.keys.length === 0
    ? base(source)
    : `(${base(source)}${source.keys.map((key) => `->${sqlString(key)}`).join("")})`;
}

function text(source: JsonSource): string {
  if (source.keys.length === 0) return `(${base(source)} #>> '{}')`;
  const init = source.keys
    .slice(0, -1)
    .map((key) => `->${sqlString(key)}`)
    .join("");
  return `(${base(source)}${init}->>${sqlString(source.keys[source.keys.length - 1] as string)})`;
}

/** PostgreSQL over a jsonb column; text compares under COLLATE "C" (UTF-8 byte order). */
export const postgresDialect: SqlDialect = {
  name: "postgres",
  true: "TRUE",
  false: "FALSE",
  parameter(n, value, kind) {
    if (kind === "json-number") return { sql: `$${n}::jsonb`, value: JSON.stringify(value) };
    return { sql: kind === "text" ? `$${n}::text` : `$${n}::numeric`, value: String(value) };
  },
  hasJsonType(source, types) {
    const checks: string[] = [];
    const names = types.filter((type) => type !== "true" && type !== "false");
    if (names.length > 0)
      checks.push(
        `coalesce(jsonb_typeof(${jsonb(source)}), '') IN (${names.map(sqlString).join(", ")})`,
      );
    for (const literal of types.filter((type) => type === "true" || type === "false")) {
      checks.push(`coalesce(${jsonb(source)} = '${literal}'::jsonb, FALSE)`);
    }
    return checks.length === 1 ? (checks[0] as string) : `(${checks.join(" OR ")})`;
  },
  numberValue: jsonb, // jsonb numbers compare numerically with jsonb numbers
  textValue: text,
  // In jsonb order the empty object is the least object, and objects sort after every other type.
  objectRange: (source) => `${jsonb(source)} >= '{}'::jsonb`,
  // The CASE keeps the cast from ever seeing text that is not an integer (PostgreSQL may evaluate it before the type check).
  integerFromText: (value) =>
    `(CASE WHEN ${value} ~ '^-?[0-9]{1,19}$' THEN (${value})::numeric END)`,
  doubleFromText: (value) =>
    `(CASE WHEN ${value} ~ '^-?[0-9]+(\\.[0-9]*)?([eE][-+]?[0-9]+)?$' THEN (${value})::numeric WHEN ${value} IN ('Infinity', '-Infinity') THEN (${value})::numeric END)`,
  ordered: (value) => `(${value} COLLATE "C")`,
  lowerAscii: (value) => `lower(${value} COLLATE "C")`, // under "C", lower() folds ASCII letters only
  byteLength: (value) => `octet_length(${value})`,
  beginsWith: (value, needle) => `left(${value}, length(${needle()})) = ${needle()}`,
  endsWith: (value, needle) => `right(${value}, length(${needle()})) = ${needle()}`,
  contains: (value, needle) => `strpos(${value}, ${needle()}) > 0`,
  likePattern: (pattern) =>
    pattern
      .replace(/[\\%_]/g, "\\$&")
      .replaceAll("*", "%")
      .replaceAll("?", "_"),
  like: (value, pattern) => `${value} LIKE ${pattern} COLLATE "C"`,
  arrayLength: (source) =>
    `(CASE WHEN jsonb_typeof(${jsonb(source)}) = 'array' THEN jsonb_array_length(${jsonb(source)}) ELSE 0 END)`,
  elements(source, alias) {
    return {
      from: `jsonb_array_elements(CASE WHEN jsonb_typeof(${jsonb(source)}) = 'array' THEN ${jsonb(source)} END) AS ${alias}(v)`,
      element: { document: source.document, element: alias, keys: [] },
    };
  },
};
