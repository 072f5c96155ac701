import { ConfigError, fieldPath } from "./ConfigError.js";
import type { CollectionSchema } from "./types.js";

/**
 * The `bsonType` names App Services schemas use: MongoDB's $jsonSchema aliases, plus the ones
 * Realm's development mode writes for Realm types (`float`, `uuid`, `mixed`).
 */
const BSON_TYPES = new Set([
  "object",
  "array",
  "string",
  "int",
  "long",
  "double",
  "float",
  "decimal",
  "number",
  "bool",
  "date",
  "objectId",
  "uuid",
  "binData",
  "mixed",
  "null",
  "regex",
  "timestamp",
  "javascript",
  "minKey",
  "maxKey",
  "symbol",
  "dbPointer",
  "undefined",
  "javascriptWithScope",
]);
const JSON_TYPES = new Set(["object", "array", "string", "number", "integer", "boolean", "null"]);
/**
 * bsonType spellings App Services accepted beside MongoDB's names (its own template apps
 * export `"bsonType": "boolean"`), and the name each stands for.
 */
const BSON_TYPE_ALIASES: Readonly<Record<string, string>> = { boolean: "bool" };
const BSON_TYPE_NAMES = new Set([...BSON_TYPES, ...Object.keys(BSON_TYPE_ALIASES)]);

type Path = (string | number)[];

/**
 * Checks a schema.json: the root must describe an object (it is a Realm object type), and
 * every nested schema must use known type names and well-formed `properties`, `items` and
 * `required`. Returns the schema with bsonType aliases spelled as MongoDB does; validation of
 * documents happens in the data layer.
 */
export function parseCollectionSchema(value: unknown, file: string): CollectionSchema {
  const root = asSchemaObject(value, file, []);
  if (!describesObject(root)) {
    throw new ConfigError(
      file,
      "bsonType",
      'the root of schema.json must be an object schema (bsonType "object")',
    );
  }
  checkNode(root, file, []);
  return withCanonicalTypeNames(root) as CollectionSchema;
}

/** A copy of `schema` whose bsonType aliases are replaced by the names they stand for. */
function withCanonicalTypeNames(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withCanonicalTypeNames);
  if (schema === null || typeof schema !== "object") return schema;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "bsonType") copy[key] = canonicalTypeName(value);
    else if (key === "properties" && value !== null && typeof value === "object")
      copy[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, withCanonicalTypeNames(child)]),
      );
    else if (key === "items") copy[key] = withCanonicalTypeNames(value);
    else copy[key] = value;
  }
  return copy;
}

function canonicalTypeName(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalTypeName);
  return typeof value === "string" && Object.hasOwn(BSON_TYPE_ALIASES, value)
    ? BSON_TYPE_ALIASES[value]
    : value;
}

function describesObject(schema: Readonly<Record<string, unknown>>): boolean {
  const types = [schema["bsonType"], schema["type"]].flat().filter((t) => t !== undefined);
  if (types.length === 0) return schema["properties"] !== undefined;
  return types.includes("object");
}

function checkNode(schema: Readonly<Record<string, unknown>>, file: string, path: Path): void {
  checkTypeNames(schema["bsonType"], BSON_TYPE_NAMES, file, [...path, "bsonType"]);
  checkTypeNames(schema["type"], JSON_TYPES, file, [...path, "type"]);
  const properties = schema["properties"];
  if (properties !== undefined) {
    const props = asSchemaObject(properties, file, [...path, "properties"]);
    for (const [name, child] of Object.entries(props)) {
      checkNode(asSchemaObject(child, file, [...path, "properties", name]), file, [
        ...path,
        "properties",
        name,
      ]);
    }
  }
  const items = schema["items"];
  if (items !== undefined) {
    const list = Array.isArray(items) ? items : [items];
    for (const [index, child] of list.entries()) {
      const at = Array.isArray(items) ? [...path, "items", index] : [...path, "items"];
      checkNode(asSchemaObject(child, file, at), file, at);
    }
  }
  const required = schema["required"];
  if (
    required !== undefined &&
    (!Array.isArray(required) || !required.every((r) => typeof r === "string"))
  ) {
    throw new ConfigError(
      file,
      fieldPath([...path, "required"]),
      "must be an array of field names",
    );
  }
}

function checkTypeNames(
  value: unknown,
  known: ReadonlySet<string>,
  file: string,
  path: Path,
): void {
  if (value === undefined) return;
  const names = Array.isArray(value) ? value : [value];
  for (const name of names) {
    if (typeof name !== "string" || !known.has(name)) {
      throw new ConfigError(file, fieldPath(path), `unknown type ${JSON.stringify(name)}`);
    }
  }
}

function asSchemaObject(
  value: unknown,
  file: string,
  path: Path,
): Readonly<Record<string, unknown>> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(file, fieldPath(path), "must be a JSON object");
  }
  return value as Record<string, unknown>;
}
