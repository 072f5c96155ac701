/**
 * Checks a document against its collection's App Services schema (schema.json) before a
 * user-context write: `bsonType` (one or a list), `required`, nested `properties`, array
 * `items`. Fields the schema does not list pass, as they do in App Services; a property that
 * is not required may also be null (how Realm's optional properties arrive).
 */
import { AppError } from "@atoll/protocol";
import { Binary, Decimal128, Long, ObjectId, UUID } from "bson";
import type { CollectionSchema } from "../config/types.js";
import type { Document } from "./types.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const BSON_TYPE_CHECKS: Readonly<Record<string, (value: unknown) => boolean>> = {
  object: (v) =>
    v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype,
  array: (v) => Array.isArray(v),
  string: (v) => typeof v === "string",
  int: (v) => typeof v === "number" && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX,
  long: (v) => (typeof v === "number" && Number.isInteger(v)) || Long.isLong(v),
  double: (v) => typeof v === "number",
  decimal: (v) => v instanceof Decimal128,
  number: (v) => typeof v === "number" || Long.isLong(v) || v instanceof Decimal128,
  bool: (v) => typeof v === "boolean",
  date: (v) => v instanceof Date,
  objectId: (v) => v instanceof ObjectId,
  uuid: (v) => v instanceof UUID || (v instanceof Binary && v.sub_type === Binary.SUBTYPE_UUID),
  binData: (v) => v instanceof Binary,
  null: (v) => v === null,
  mixed: () => true,
};

export function validateSchema(schema: CollectionSchema, doc: Document): void {
  checkValue(schema, doc, "", true);
}

/** A schema node's type names and the checks of those this validator knows, worked out once. */
interface NodeTypes {
  readonly names: readonly string[];
  readonly checks: readonly ((value: unknown) => boolean)[];
}

const typesBySchema = new WeakMap<CollectionSchema, NodeTypes>();

function typesOf(schema: CollectionSchema): NodeTypes {
  let types = typesBySchema.get(schema);
  if (types === undefined) {
    const names = schema.bsonType === undefined ? [] : [schema.bsonType].flat().map(String);
    const checks = names.flatMap((type) => BSON_TYPE_CHECKS[type] ?? []);
    types = { names, checks };
    typesBySchema.set(schema, types);
  }
  return types;
}

function checkValue(
  schema: CollectionSchema,
  value: unknown,
  path: string,
  required: boolean,
): void {
  const types = typesOf(schema);
  if (types.names.length > 0 && !(value === null && !required && path !== "")) {
    if (types.checks.length > 0 && !types.checks.some((check) => check(value))) {
      fail(path, `must be of type ${types.names.join(" or ")}`);
    }
  }
  if (Array.isArray(value) && isSchema(schema.items)) {
    value.forEach((item, index) =>
      checkValue(schema.items as CollectionSchema, item, join(path, String(index)), true),
    );
  }
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    const doc = value as Document;
    const requiredFields = Array.isArray(schema.required) ? schema.required.map(String) : [];
    for (const field of requiredFields) {
      if (doc[field] === undefined) fail(join(path, field), "is required");
    }
    const properties = isSchema(schema.properties)
      ? (schema.properties as Record<string, unknown>)
      : {};
    for (const [field, fieldSchema] of Object.entries(properties)) {
      if (doc[field] !== undefined && isSchema(fieldSchema)) {
        checkValue(fieldSchema, doc[field], join(path, field), requiredFields.includes(field));
      }
    }
  }
}

function isSchema(value: unknown): value is CollectionSchema {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function join(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}

function fail(path: string, problem: string): never {
  throw new AppError(
    "SchemaValidationFailedWrite",
    `failed to validate document: field "${path || "(document)"}" ${problem}`,
    {
      details: { field: path },
    },
  );
}
