/**
 * The schema as the binder needs it. Client and server each build this from their own schema
 * representation; nothing here depends on either.
 */
/** The primitive value types (Realm's primitive property type names). */
export const RQL_SCALAR_TYPES = [
  "bool",
  "int",
  "float",
  "double",
  "decimal128",
  "string",
  "data",
  "date",
  "objectId",
  "uuid",
  "mixed",
] as const;
export type RqlScalarType = (typeof RQL_SCALAR_TYPES)[number];

export type RqlPropertyType = RqlScalarType | "object" | "linkingObjects";

export interface RqlProperty {
  name: string;
  type: RqlPropertyType;
  /** for object and linkingObjects: the class linked to */
  objectType?: string;
  collection?: "list" | "set" | "dictionary";
  optional: boolean;
  /** for linkingObjects: the property on objectType that links here */
  linkOriginProperty?: string;
  /** A string property with a full-text index, which `TEXT` queries need. */
  fullTextIndexed?: boolean;
  /** The object holds the value boxed, its `valueOf()` being the value (a counter's int). */
  boxed?: boolean;
}

export interface RqlClass {
  name: string;
  primaryKey?: string;
  embedded?: boolean;
  asymmetric?: boolean;
  properties: Record<string, RqlProperty>;
}

export type RqlSchema = Record<string, RqlClass>;
