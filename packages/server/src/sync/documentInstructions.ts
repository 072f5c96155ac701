/**
 * Documents → sync instructions: what a client receives for an object it does not have
 * (bootstrap), and for a change made outside sync (a function, data access, another node).
 * Typed by the synced object model, so an int field travels as int64 and a double as double
 * whatever JavaScript number the document holds. Fields the model does not know are not sent.
 */
import type { Instruction, InstructionValue, Path, PrimaryKey } from "@atoll/protocol";
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
  throw new TypeError(`an _id of type ${bsonType ?? typeof id} cannot be a primary key`);
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
      if (typeof value === "number")
        return Number.isInteger(value) ? Long.fromNumber(value) : value;
      if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) {
        throw new TypeError(`${property.name}: collections inside mixed values are not synced`);
      }
      return value as InstructionValue;
    default:
      return value as InstructionValue;
  }
}

class Emitter {
  readonly out: Instruction[] = [];
  constructor(
    private readonly schema: RqlSchema,
    private readonly table: string,
    private readonly pk: PrimaryKey,
  ) {}

  object(cls: RqlClass, doc: Document, prefix: Path): void {
    for (const property of Object.values(cls.properties)) {
      if (
        property.type === "linkingObjects" ||
        (prefix.length === 0 && property.name === cls.primaryKey)
      )
        continue;
      const value = doc[property.name];
      if (value === undefined) continue;
      this.property(property, value, [...prefix, property.name]);
    }
  }

  private property(property: RqlProperty, value: unknown, path: Path): void {
    const { table, pk } = this;
    switch (property.collection) {
      case "list": {
        this.out.push({ type: "Clear", table, pk, path, collectionType: "list" });
        (Array.isArray(value) ? value : []).forEach((item, index) =>
          this.element(property, item, [...path, index], (v) =>
            this.out.push({
              type: "ArrayInsert",
              table,
              pk,
              path: [...path, index],
              value: v,
              priorSize: index,
            }),
          ),
        );
        return;
      }
      case "set":
        this.out.push({ type: "Clear", table, pk, path, collectionType: "set" });
        for (const item of Array.isArray(value) ? value : []) {
          this.out.push({ type: "SetInsert", table, pk, path, value: this.single(property, item) });
        }
        return;
      case "dictionary":
        this.out.push({ type: "Clear", table, pk, path, collectionType: "dictionary" });
        for (const [key, item] of Object.entries((value ?? {}) as Document)) {
          this.element(property, item, [...path, key], (v) =>
            this.out.push({ type: "Update", table, pk, path: [...path, key], value: v }),
          );
        }
        return;
      default:
        this.element(property, value, path, (v) =>
          this.out.push({ type: "Update", table, pk, path, value: v }),
        );
    }
  }

  /** One value at `path`: `put` places it; an embedded object then gets its fields below it. */
  private element(
    property: RqlProperty,
    value: unknown,
    path: Path,
    put: (value: InstructionValue) => void,
  ): void {
    const target = property.type === "object" ? this.schema[property.objectType ?? ""] : undefined;
    if (target?.embedded && value !== null && value !== undefined) {
      put({ $object: true });
      this.object(target, value as Document, path);
      return;
    }
    put(this.single(property, value));
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
