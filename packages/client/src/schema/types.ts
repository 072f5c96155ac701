/** Schema shapes as Realm JS v12 names them: what users write and the canonical form Realm reports back. */
import type { RqlScalarType } from "@atoll/rql";

/** The same primitive names the query language uses. */
export type PrimitivePropertyTypeName = RqlScalarType;
export type CollectionPropertyTypeName = "list" | "set" | "dictionary";
export type PropertyTypeName =
  PrimitivePropertyTypeName | CollectionPropertyTypeName | "object" | "linkingObjects";

/** `true`: an equality index; "full-text": a word index on a string, which `TEXT` queries need. */
export type IndexedType = boolean | "full-text";

export interface PropertySchema {
  /** A PropertyTypeName, or the name of an object type to link to. */
  type: string;
  objectType?: string;
  property?: string;
  optional?: boolean;
  indexed?: IndexedType;
  mapTo?: string;
  default?: unknown;
  /** "counter": an int read as a Counter, whose increments merge under sync. */
  presentation?: "counter";
}
export type PropertySchemaShorthand = string;
export type PropertiesTypes = Record<string, PropertySchema | PropertySchemaShorthand>;

export interface ObjectSchema {
  name: string;
  properties: PropertiesTypes;
  primaryKey?: string;
  embedded?: boolean;
  asymmetric?: boolean;
}

export interface CanonicalPropertySchema {
  name: string;
  type: PropertyTypeName;
  objectType?: string;
  property?: string;
  optional: boolean;
  indexed: IndexedType;
  mapTo: string;
  default?: unknown;
  presentation?: "counter";
}

export interface CanonicalObjectSchema {
  name: string;
  properties: Record<string, CanonicalPropertySchema>;
  primaryKey?: string;
  embedded: boolean;
  asymmetric: boolean;
  ctor?: RealmObjectConstructor;
}

export type RealmObjectConstructor = (abstract new (...args: never[]) => object) & {
  schema?: ObjectSchema;
};

export type SchemaEntry = ObjectSchema | RealmObjectConstructor;
