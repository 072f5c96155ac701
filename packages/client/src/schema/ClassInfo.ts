/**
 * The in-memory form of one object type: its properties resolved for fast access, its live rows
 * and its primary-key index. Rows hold stored values keyed by the property's internal name.
 */
import type { ObjectId, UUID } from "bson";
import { pkIndexKey } from "../values/indexKey.js";
import { PRIMITIVES } from "./normalizeSchema.js";
import { PropertyIndex, isIndexed } from "./PropertyIndex.js";
import type {
  CanonicalObjectSchema,
  CanonicalPropertySchema,
  PrimitivePropertyTypeName,
} from "./types.js";

export type ElementType = PrimitivePropertyTypeName | "object" | "linkingObjects";
export type CollectionKind = "list" | "set" | "dictionary";

export interface PropInfo {
  /** The name user code sees. */
  readonly name: string;
  /** "Type.property", for messages. */
  readonly qualifiedName: string;
  /** The internal name (mapTo) under which values are stored and synced. */
  readonly key: string;
  readonly schema: CanonicalPropertySchema;
  readonly collection: CollectionKind | undefined;
  readonly element: ElementType;
  /** Whether null is a valid value (of the property, or of each element of a collection). */
  readonly optional: boolean;
  readonly objectType: string | undefined;
  /** Set once every class is built. */
  target: ClassInfo | undefined;
}

/** Stored values: primitives, Date, Uint8Array, bson classes, object keys (numbers) for links. */
export type Stored = unknown;

export interface ObjectRow {
  readonly key: number;
  readonly cls: ClassInfo;
  values: Record<string, Stored>;
  alive: boolean;
  /** Key of the owning object of an embedded object; 0 for top-level objects. */
  owner: number;
  /** The live object last handed out for this row (reused, so reads allocate nothing). */
  accessor?: object | undefined;
}

export type PrimaryKeyValue = number | string | ObjectId | UUID | null;

export { pkIndexKey };

export class ClassInfo {
  readonly name: string;
  readonly props: PropInfo[];
  readonly byName = new Map<string, PropInfo>();
  readonly pk: PropInfo | undefined;
  private readonly stored: readonly PropInfo[];
  /** Stored props whose default is a function, called for each new object (`() => new ObjectId()`). */
  readonly generatedDefaults: readonly PropInfo[];
  /** Live rows in key order. */
  readonly rows = new Map<number, ObjectRow>();
  readonly pkIndex = new Map<unknown, ObjectRow>();
  /** Properties in any class that link here; used to clear links to deleted objects. */
  readonly incoming: { readonly cls: ClassInfo; readonly prop: PropInfo }[] = [];
  /** Secondary indexes by internal property name (see query/indexes.ts). */
  readonly indexes = new Map<string, PropertyIndex<ObjectRow>>();
  /** Prototype chain for objects of this type; set by the accessor builder. */
  proto: object = Object.prototype;

  constructor(readonly schema: CanonicalObjectSchema) {
    this.name = schema.name;
    this.props = Object.values(schema.properties).map((property) =>
      toPropInfo(schema.name, property),
    );
    for (const prop of this.props) this.byName.set(prop.name, prop);
    for (const prop of this.props) {
      if (isIndexed(prop) && prop.name !== schema.primaryKey)
        this.indexes.set(prop.key, new PropertyIndex<ObjectRow>(prop.key));
    }
    this.pk = schema.primaryKey === undefined ? undefined : this.byName.get(schema.primaryKey);
    this.stored = this.props.filter((prop) => prop.element !== "linkingObjects");
    this.generatedDefaults = this.stored.filter(
      (prop) => typeof prop.schema.default === "function",
    );
  }

  get embedded(): boolean {
    return this.schema.embedded;
  }
  get asymmetric(): boolean {
    return this.schema.asymmetric;
  }

  /** Stored props only (backlinks are computed, never stored). */
  storedProps(): readonly PropInfo[] {
    return this.stored;
  }
}

/** A property's default for one new object: a function default is called each time. */
export function defaultFor(prop: PropInfo): unknown {
  const value = prop.schema.default;
  return typeof value === "function" ? (value as () => unknown)() : value;
}

function toPropInfo(className: string, schema: CanonicalPropertySchema): PropInfo {
  const isCollection =
    schema.type === "list" || schema.type === "set" || schema.type === "dictionary";
  const element = (isCollection ? schema.objectType : schema.type) as string;
  const resolved: ElementType =
    schema.type === "linkingObjects"
      ? "linkingObjects"
      : PRIMITIVES.has(element)
        ? (element as ElementType)
        : "object";
  return {
    name: schema.name,
    qualifiedName: `${className}.${schema.name}`,
    key: schema.mapTo,
    schema,
    collection: isCollection ? (schema.type as CollectionKind) : undefined,
    element: resolved,
    optional: resolved === "object" && !isCollection ? true : schema.optional,
    objectType:
      resolved === "object" || resolved === "linkingObjects" ? schema.objectType : undefined,
    target: undefined,
  };
}

/** Builds ClassInfos for a canonical schema and resolves link targets and incoming links. */
export function buildClasses(schema: readonly CanonicalObjectSchema[]): Map<string, ClassInfo> {
  const classes = new Map<string, ClassInfo>();
  for (const object of schema) classes.set(object.name, new ClassInfo(object));
  for (const cls of classes.values()) {
    for (const prop of cls.props) {
      if (prop.objectType === undefined) continue;
      prop.target = classes.get(prop.objectType);
      if (prop.element === "object") prop.target?.incoming.push({ cls, prop });
    }
  }
  return classes;
}
