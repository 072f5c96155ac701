/**
 * Turns the schema a user writes (object literals or classes with `static schema`, property
 * shorthand like "int?", "Dog[]", "string{}", "int<>") into the canonical form, and checks it
 * hangs together: link targets exist, primary keys have a key type, backlinks point at links.
 */
import { RQL_SCALAR_TYPES } from "@atoll/rql";
import { ClientErrorCode, RealmError } from "../errors.js";
import type {
  CanonicalObjectSchema,
  CanonicalPropertySchema,
  IndexedType,
  ObjectSchema,
  PropertySchema,
  PropertyTypeName,
  SchemaEntry,
} from "./types.js";

export const PRIMITIVES: ReadonlySet<string> = new Set<string>(RQL_SCALAR_TYPES);
const PRIMARY_KEY_TYPES: ReadonlySet<string> = new Set(["int", "string", "objectId", "uuid"]);
const COLLECTION_SUFFIXES = { "[]": "list", "<>": "set", "{}": "dictionary" } as const;

export function invalidSchema(message: string): RealmError {
  return new RealmError(ClientErrorCode.InvalidSchema, message);
}

function parseShorthand(objectName: string, name: string, text: string): PropertySchema {
  const suffix = text.slice(-2);
  if (suffix in COLLECTION_SUFFIXES) {
    const element = text.slice(0, -2);
    const optional = element.endsWith("?");
    const objectType = optional ? element.slice(0, -1) : element;
    if (objectType === "")
      throw invalidSchema(`Property '${objectName}.${name}' has an empty type`);
    return {
      type: COLLECTION_SUFFIXES[suffix as keyof typeof COLLECTION_SUFFIXES],
      objectType,
      optional,
    };
  }
  const optional = text.endsWith("?");
  const base = optional ? text.slice(0, -1) : text;
  if (PRIMITIVES.has(base)) return { type: base, optional };
  if (base === "counter") return { type: "int", presentation: "counter", optional };
  return { type: "object", objectType: base, optional: true };
}

function canonicalProperty(
  objectName: string,
  name: string,
  input: PropertySchema | string,
): CanonicalPropertySchema {
  const raw = typeof input === "string" ? parseShorthand(objectName, name, input) : input;
  if (typeof raw !== "object" || raw === null || typeof raw.type !== "string") {
    throw invalidSchema(`Property '${objectName}.${name}' must have a type`);
  }
  let type = raw.type;
  let objectType = raw.objectType;
  const counter = type === "counter" || raw.presentation === "counter";
  if (type === "counter") type = "int";
  if (counter && type !== "int")
    throw invalidSchema(`Property '${objectName}.${name}' can only be a counter if it is an int`);
  let optional = raw.optional ?? false;
  if (
    !PRIMITIVES.has(type) &&
    !["list", "set", "dictionary", "object", "linkingObjects"].includes(type)
  ) {
    // Full form naming a class directly: { type: "Dog" }.
    objectType = type;
    type = "object";
  }
  if (type === "object") optional = true;
  if (type === "mixed") optional = true;
  if (
    (type === "list" || type === "set" || type === "dictionary" || type === "linkingObjects") &&
    !objectType
  ) {
    throw invalidSchema(`Property '${objectName}.${name}' of type '${type}' needs an objectType`);
  }
  if (objectType === "mixed") optional = true;
  if (type === "linkingObjects" && !raw.property) {
    throw invalidSchema(
      `Property '${objectName}.${name}' of type 'linkingObjects' needs a property`,
    );
  }
  const result: CanonicalPropertySchema = {
    name,
    type: type as PropertyTypeName,
    optional,
    indexed: canonicalIndexed(objectName, name, raw.indexed, type, objectType),
    mapTo: raw.mapTo ?? name,
  };
  if (objectType !== undefined) result.objectType = objectType;
  if (raw.property !== undefined) result.property = raw.property;
  if (raw.default !== undefined) result.default = raw.default;
  if (counter) result.presentation = "counter";
  return result;
}

/** A full-text index only goes on a single string property. */
function canonicalIndexed(
  objectName: string,
  name: string,
  indexed: PropertySchema["indexed"],
  type: string,
  objectType: string | undefined,
): IndexedType {
  if (indexed !== "full-text") return indexed === true;
  if (type !== "string") {
    const shown = objectType === undefined ? type : `${type}<${objectType}>`;
    throw invalidSchema(
      `Property '${objectName}.${name}' of type '${shown}' cannot have a full-text index: only string properties can`,
    );
  }
  return "full-text";
}

function schemaOf(entry: SchemaEntry): {
  schema: ObjectSchema;
  ctor?: CanonicalObjectSchema["ctor"];
} {
  if (typeof entry === "function") {
    if (!entry.schema) throw invalidSchema(`Class '${entry.name}' must have a static schema`);
    return { schema: entry.schema, ctor: entry };
  }
  return { schema: entry };
}

function canonicalObject(entry: SchemaEntry): CanonicalObjectSchema {
  const { schema, ctor } = schemaOf(entry);
  if (
    typeof schema !== "object" ||
    schema === null ||
    typeof schema.name !== "string" ||
    schema.name === ""
  ) {
    throw invalidSchema("Every object schema needs a name");
  }
  if (typeof schema.properties !== "object" || schema.properties === null) {
    throw invalidSchema(`Object schema '${schema.name}' needs properties`);
  }
  const properties: Record<string, CanonicalPropertySchema> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    properties[name] = canonicalProperty(schema.name, name, property);
  }
  const result: CanonicalObjectSchema = {
    name: schema.name,
    properties,
    embedded: schema.embedded === true,
    asymmetric: schema.asymmetric === true,
  };
  if (schema.primaryKey !== undefined) result.primaryKey = schema.primaryKey;
  if (ctor) result.ctor = ctor;
  return result;
}

function validateLinks(
  byName: Map<string, CanonicalObjectSchema>,
  object: CanonicalObjectSchema,
): void {
  for (const property of Object.values(object.properties)) {
    const where = `'${object.name}.${property.name}'`;
    const target = property.objectType;
    if (target === undefined || PRIMITIVES.has(target)) {
      if (property.type === "object" || property.type === "linkingObjects") {
        throw invalidSchema(`Property ${where} must link to an object type`);
      }
      continue;
    }
    const targetSchema = byName.get(target);
    if (!targetSchema) throw invalidSchema(`Property ${where} has unknown object type '${target}'`);
    if (targetSchema.asymmetric)
      throw invalidSchema(`Property ${where} cannot link to asymmetric type '${target}'`);
    if (property.type === "set" && targetSchema.embedded) {
      throw invalidSchema(`Property ${where} cannot be a set of embedded objects`);
    }
    if (property.type === "linkingObjects") {
      const origin = targetSchema.properties[property.property ?? ""];
      if (!origin || origin.objectType !== object.name || origin.type === "linkingObjects") {
        throw invalidSchema(
          `Property ${where} must name a link to '${object.name}' in '${target}'`,
        );
      }
    }
  }
}

function validatePrimaryKey(object: CanonicalObjectSchema): void {
  if (object.primaryKey === undefined) return;
  if (object.embedded)
    throw invalidSchema(`Embedded object '${object.name}' cannot have a primary key`);
  const property = object.properties[object.primaryKey];
  if (!property) {
    throw invalidSchema(
      `Primary key property '${object.name}.${object.primaryKey}' does not exist`,
    );
  }
  if (!PRIMARY_KEY_TYPES.has(property.type)) {
    throw invalidSchema(
      `Property '${object.name}.${object.primaryKey}' of type '${property.type}' cannot be made the primary key`,
    );
  }
  // A primary key is always indexed; a full-text index declared on it is kept for TEXT queries.
  if (property.indexed !== "full-text") property.indexed = true;
}

/** Canonicalises and validates a whole schema; throws RealmError(InvalidSchema) naming the fault. */
export function normalizeSchema(entries: readonly SchemaEntry[]): CanonicalObjectSchema[] {
  if (!Array.isArray(entries))
    throw invalidSchema("schema must be an array of object schemas or classes");
  const objects = entries.map(canonicalObject);
  const byName = new Map<string, CanonicalObjectSchema>();
  for (const object of objects) {
    if (byName.has(object.name))
      throw invalidSchema(`Type '${object.name}' appears more than once in the schema`);
    byName.set(object.name, object);
  }
  for (const object of objects) {
    validatePrimaryKey(object);
    validateLinks(byName, object);
  }
  return objects;
}
