/**
 * The synced object model, derived from the app's App Services schemas (`schema.json` +
 * `relationships.json` of each collection in the sync data source). A schema's `title` is
 * the Realm object type name; the collection may be named differently. The result is an
 * `RqlSchema`, so subscription queries bind against exactly what sync serves.
 *
 * Mapping (App Services "Data Model Mapping"): bool, int/long → int, double, float,
 * decimal → decimal128, string, date, objectId, uuid, binData → data, mixed; arrays →
 * lists (sets with `uniqueItems`); objects with a title and `properties` → embedded
 * objects; objects with `additionalProperties` only → dictionaries; a field named in
 * relationships.json → a link (to-many when `is_list`).
 */
import type { RqlClass, RqlProperty, RqlPropertyType, RqlSchema } from "@atoll/rql";
import type { CollectionConfig } from "../config/types.js";
import { SyncSchemaError } from "./SyncSchemaError.js";

export interface SyncedTable {
  readonly name: string;
  readonly database: string;
  readonly collection: string;
  readonly asymmetric: boolean;
}

export interface SyncModel {
  readonly schema: RqlSchema;
  /** Top-level (non-embedded) types by name, with where their documents live. */
  readonly tables: ReadonlyMap<string, SyncedTable>;
}

type JsonSchema = Readonly<Record<string, unknown>>;

const SCALARS: Readonly<Record<string, RqlPropertyType>> = {
  bool: "bool",
  int: "int",
  long: "int",
  double: "double",
  float: "float",
  decimal: "decimal128",
  string: "string",
  date: "date",
  objectId: "objectId",
  uuid: "uuid",
  binData: "data",
  mixed: "mixed",
};

interface Relationship {
  readonly ref: string;
  readonly isList: boolean;
}

export function buildSyncModel(
  collections: Iterable<CollectionConfig>,
  options: { readonly database?: string; readonly asymmetricTables?: readonly string[] } = {},
): SyncModel {
  const schema: RqlSchema = {};
  const tables = new Map<string, SyncedTable>();
  const asymmetric = new Set(options.asymmetricTables ?? []);
  const pending: { owner: string; collection: CollectionConfig }[] = [];
  for (const collection of collections) {
    if (options.database !== undefined && collection.database !== options.database) continue;
    if (!collection.schema) continue;
    const name =
      typeof collection.schema.title === "string" ? collection.schema.title : collection.collection;
    if (tables.has(name)) {
      throw new SyncSchemaError(`Object type "${name}" is mapped to two collections`, name);
    }
    tables.set(name, {
      name,
      database: collection.database,
      collection: collection.collection,
      asymmetric: asymmetric.has(name),
    });
    pending.push({ owner: name, collection });
  }
  const collectionToType = new Map(
    [...tables.values()].map((t) => [`${t.database}.${t.collection}`, t.name]),
  );
  for (const { owner, collection } of pending) {
    const relationships = readRelationships(collection, collectionToType);
    const cls = objectClass(owner, collection.schema as JsonSchema, schema, relationships, false);
    schema[owner] = {
      ...cls,
      primaryKey: "_id",
      ...(tables.get(owner)!.asymmetric ? { asymmetric: true } : {}),
    };
    if (!cls.properties._id)
      throw new SyncSchemaError(`Object type "${owner}" has no _id property`, owner);
  }
  return { schema, tables };
}

function readRelationships(
  collection: CollectionConfig,
  collectionToType: ReadonlyMap<string, string>,
): Map<string, Relationship> {
  const out = new Map<string, Relationship>();
  for (const [field, raw] of Object.entries(collection.relationships ?? {})) {
    const entry = raw as { ref?: unknown; is_list?: unknown };
    // "#/relationship/<service>/<db>/<collection>"
    const parts = typeof entry.ref === "string" ? entry.ref.split("/") : [];
    const target = collectionToType.get(`${parts.at(-2) ?? ""}.${parts.at(-1) ?? ""}`);
    if (!target) {
      throw new SyncSchemaError(
        `Relationship "${field}" of ${collection.collection} points to an unsynced collection`,
        field,
      );
    }
    out.set(field, { ref: target, isList: entry.is_list === true });
  }
  return out;
}

function objectClass(
  name: string,
  json: JsonSchema,
  schema: RqlSchema,
  relationships: ReadonlyMap<string, Relationship>,
  embedded: boolean,
): RqlClass {
  const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
  const properties: Record<string, RqlProperty> = {};
  for (const [field, raw] of Object.entries(
    (json.properties ?? {}) as Record<string, JsonSchema>,
  )) {
    const link = relationships.get(field);
    const optional = !required.has(field);
    properties[field] = link
      ? {
          name: field,
          type: "object",
          objectType: link.ref,
          optional: !link.isList,
          ...(link.isList ? { collection: "list" as const } : {}),
        }
      : property(`${name}.${field}`, field, raw, optional, schema);
  }
  return { name, properties, ...(embedded ? { embedded: true } : {}) };
}

function property(
  where: string,
  field: string,
  json: JsonSchema,
  optional: boolean,
  schema: RqlSchema,
): RqlProperty {
  const bsonType = Array.isArray(json.bsonType)
    ? (json.bsonType as unknown[]).find((t) => t !== "null")
    : json.bsonType;
  const nullable = Array.isArray(json.bsonType) && (json.bsonType as unknown[]).includes("null");
  if (bsonType === "array") {
    const items = (json.items ?? {}) as JsonSchema;
    const element = property(`${where}[]`, field, items, false, schema);
    if (element.collection)
      throw new SyncSchemaError(`${where}: nested collections cannot be synced`, where);
    // A collection's `optional` is its elements' (a list of `string?` holds nulls), as in Realm.
    return { ...element, collection: json.uniqueItems === true ? "set" : "list" };
  }
  if (bsonType === "object") {
    if (json.properties !== undefined) {
      const title = typeof json.title === "string" ? json.title : `${where}`;
      if (!schema[title]) schema[title] = objectClass(title, json, schema, new Map(), true);
      return { name: field, type: "object", objectType: title, optional: true };
    }
    const values = json.additionalProperties;
    const element =
      values && typeof values === "object"
        ? property(`${where}{}`, field, values as JsonSchema, true, schema)
        : ({ name: field, type: "mixed", optional: true } as RqlProperty);
    return { ...element, collection: "dictionary" };
  }
  const type = typeof bsonType === "string" ? SCALARS[bsonType] : undefined;
  if (!type)
    throw new SyncSchemaError(
      `${where}: bsonType ${JSON.stringify(json.bsonType)} cannot be synced`,
      where,
    );
  return { name: field, type, optional: optional || nullable || type === "mixed" };
}
