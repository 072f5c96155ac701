/**
 * Documents → sync instructions: what a client receives for an object it does not have
 * (bootstrap), and for a change made outside sync (a function, data access, another node).
 * Typed by the synced object model, so an int field travels as int64 and a double as double
 * whatever JavaScript number the document holds. Fields the model does not know are not sent.
 */
import {
  nestedCollectionOf,
  type Instruction,
  type InstructionValue,
  type Path,
  type PrimaryKey,
} from "@atoll/protocol";
import type { RqlClass, RqlProperty, RqlSchema } from "@atoll/rql";
import { Binary, Long, UUID } from "bson";
import type { ChangeRecord } from "../storage/StorageEngine.js";
import type { Document } from "../data/types.js";

/** The primary key of a document's `_id` as instructions carry it. */
export function primaryKeyOf(id: unknown): PrimaryKey {
  if (id === null || id === undefined) return null;
  if (typeof id === "number") return Long.fromNumber(id);
  if (typeof id === "string" || Long.isLong(id)) return id;
  if (id instanceof Binary && id.sub_type === Binary.SUBTYPE_UUID)
    return new UUID(id.buffer.subarray(0, id.position));
  const bsonType = (id as { _bsontype?: string })._bsontype;
  if (bsonType === "ObjectId" || bsonType === "UUID") return id as PrimaryKey;
  throw new UnsyncableDocument(`an _id of type ${bsonType ?? typeof id} cannot be a primary key`);
}

/** A document written outside sync that no device can hold (its `_id` is no primary key). */
export class UnsyncableDocument extends TypeError {
  override readonly name = "UnsyncableDocument";
}

function scalarValue(value: unknown, property: RqlProperty): InstructionValue {
  if (value === null || value === undefined) return null;
  switch (property.type) {
    case "int":
      return Long.isLong(value) ? value : Long.fromNumber(Number(value));
    case "double":
    case "float":
      return Number(value);
    case "uuid":
      return value instanceof Binary && !(value instanceof UUID)
        ? new UUID(value.buffer.subarray(0, value.position))
        : (value as UUID);
    case "mixed":
      return mixedValue(value);
    default:
      return value as InstructionValue;
  }
}

/** A mixed value as instructions carry it: a list or dictionary is a new empty one, filled after. */
function mixedValue(value: unknown): InstructionValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isInteger(value) ? Long.fromNumber(value) : value;
  if (Array.isArray(value)) return { $list: true };
  if (isPlainDocument(value)) return { $dictionary: true };
  return value as InstructionValue;
}

function isPlainDocument(value: unknown): value is Document {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** Per class: the properties whose values travel (linking objects are computed, never sent). */
const syncedPropertiesByClass = new WeakMap<RqlClass, readonly RqlProperty[]>();

function syncedProperties(cls: RqlClass): readonly RqlProperty[] {
  let properties = syncedPropertiesByClass.get(cls);
  if (properties === undefined) {
    properties = Object.values(cls.properties).filter((p) => p.type !== "linkingObjects");
    syncedPropertiesByClass.set(cls, properties);
  }
  return properties;
}

class Emitter {
  readonly out: Instruction[] = [];
  constructor(
    private readonly schema: RqlSchema,
    private readonly table: string,
    private readonly pk: PrimaryKey,
  ) {}

  object(cls: RqlClass, doc: Document, prefix: Path): void {
    const topLevel = prefix.length === 0;
    for (const property of syncedProperties(cls)) {
      if (topLevel && property.name === cls.primaryKey) continue;
      const value = doc[property.name];
      if (value === undefined) continue;
      this.property(property, value, topLevel ? [property.name] : [...prefix, property.name]);
    }
  }

  private property(property: RqlProperty, value: unknown, path: Path): void {
    const { table, pk } = this;
    switch (property.collection) {
      case "list": {
        this.out.push({ type: "Clear", table, pk, path, collectionType: "list" });
        if (!Array.isArray(value)) return;
        for (let index = 0; index < value.length; index++) {
          const at = [...path, index];
          this.out.push({
            type: "ArrayInsert",
            table,
            pk,
            path: at,
            value: this.elementValue(property, value[index]),
            priorSize: index,
          });
          this.embeddedFields(property, value[index], at);
        }
        return;
      }
      case "set":
        this.out.push({ type: "Clear", table, pk, path, collectionType: "set" });
        for (const item of Array.isArray(value) ? value : []) {
          // A set holds no collections: one written into it outside sync is not sent.
          const single = this.single(property, item);
          if (nestedCollectionOf(single) !== undefined) continue;
          this.out.push({ type: "SetInsert", table, pk, path, value: single });
        }
        return;
      case "dictionary":
        this.out.push({ type: "Clear", table, pk, path, collectionType: "dictionary" });
        for (const [key, item] of Object.entries((value ?? {}) as Document)) {
          const at = [...path, key];
          this.out.push({
            type: "Update",
            table,
            pk,
            path: at,
            value: this.elementValue(property, item),
          });
          this.embeddedFields(property, item, at);
        }
        return;
      default:
        this.out.push({
          type: "Update",
          table,
          pk,
          path,
          value: this.elementValue(property, value),
        });
        this.embeddedFields(property, value, path);
    }
  }

  /** The embedded object's class when `value` at a property of this type is one, else undefined. */
  private embeddedClass(property: RqlProperty, value: unknown): RqlClass | undefined {
    if (property.type !== "object" || value === null || value === undefined) return undefined;
    const target = this.schema[property.objectType ?? ""];
    return target?.embedded ? target : undefined;
  }

  /** What the instruction placing one value carries: an embedded object is a new empty object. */
  private elementValue(property: RqlProperty, value: unknown): InstructionValue {
    return this.embeddedClass(property, value) ? { $object: true } : this.single(property, value);
  }

  /**
   * After a value is placed at `path`: what goes below it, the fields of an embedded object or
   * the contents of a list or dictionary in a mixed value.
   */
  private embeddedFields(property: RqlProperty, value: unknown, path: Path): void {
    if (property.type === "mixed") {
      this.nestedContents(value, path);
      return;
    }
    const target = this.embeddedClass(property, value);
    if (target) this.object(target, value as Document, path);
  }

  /** The elements of a list, or the entries of a dictionary, inside a mixed value, at any depth. */
  private nestedContents(value: unknown, path: Path): void {
    const { table, pk } = this;
    if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => {
        const at = [...path, index];
        const placed = mixedValue(item);
        this.out.push({
          type: "ArrayInsert",
          table,
          pk,
          path: at,
          value: placed,
          priorSize: index,
        });
        this.nestedContents(item, at);
      });
    } else if (isPlainDocument(value)) {
      for (const [key, item] of Object.entries(value)) {
        const at = [...path, key];
        this.out.push({ type: "Update", table, pk, path: at, value: mixedValue(item) });
        this.nestedContents(item, at);
      }
    }
  }

  private single(property: RqlProperty, value: unknown): InstructionValue {
    if (property.type !== "object" || value === null || value === undefined)
      return scalarValue(value, property);
    return { $link: { table: property.objectType ?? "", pk: primaryKeyOf(value) } };
  }
}

/** Instructions that create `doc` (a top-level object of type `table`) from nothing. */
export function instructionsForDocument(
  schema: RqlSchema,
  table: string,
  doc: Document,
): Instruction[] {
  const cls = schema[table];
  if (!cls) throw new TypeError(`unknown synced type "${table}"`);
  const pk = primaryKeyOf(doc._id);
  const emitter = new Emitter(schema, table, pk);
  emitter.out.push({ type: "CreateObject", table, pk });
  emitter.object(cls, doc, []);
  return emitter.out;
}

/**
 * Instructions for a change made outside sync. Updates resend each touched top-level field
 * whole from the document after the change: simple, and exact whatever update operator made it.
 */
export function instructionsForChange(
  schema: RqlSchema,
  table: string,
  change: ChangeRecord,
): Instruction[] {
  const pk = primaryKeyOf(change.documentKey._id);
  if (change.operationType === "delete") return [{ type: "EraseObject", table, pk }];
  const doc = change.fullDocument;
  if (!doc) return [];
  if (change.operationType === "insert") return instructionsForDocument(schema, table, doc);
  const cls = schema[table];
  if (!cls) throw new TypeError(`unknown synced type "${table}"`);
  const touched =
    change.operationType === "update" && change.updateDescription
      ? new Set(
          [
            ...Object.keys(change.updateDescription.updatedFields),
            ...change.updateDescription.removedFields,
          ].map((path) => path.split(".")[0]!),
        )
      : new Set(Object.keys(cls.properties));
  const emitter = new Emitter(schema, table, pk);
  const subset: RqlClass = {
    ...cls,
    properties: Object.fromEntries(
      Object.entries(cls.properties).filter(([name]) => touched.has(name)),
    ),
  };
  // A field removed by the change is null on the device.
  const after: Document = {
    ...Object.fromEntries([...touched].map((name) => [name, null])),
    ...doc,
  };
  emitter.object(subset, after, []);
  return emitter.out;
}
