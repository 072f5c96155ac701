/**
 * Every mutation of objects goes through the writer: it checks and converts values, changes rows
 * through the transaction (before-images, change tracking) and emits the changeset
 * instructions that describe the change.
 */
import { Long } from "bson";
import { ClientErrorCode, RealmError, errors } from "../errors.js";
import { addressOf } from "../core/paths.js";
import { defaultFor } from "../schema/ClassInfo.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { storedEquals, toStoredPrimitive, typeMismatch } from "../values/convert.js";
import { payloadOf } from "./payload.js";
import { toStoredValue } from "./mixedValue.js";
import { rowOf } from "../objects/symbols.js";
import { DeletingWriter } from "./DeletingWriter.js";
import { UpdateMode, isPlainRecord } from "./WriterBase.js";
import type { EmbeddedPlacement } from "./WriterBase.js";

export { UpdateMode };

/**
 * `values` with the function defaults of the properties it lacks called once, for a new
 * object (the primary key's is called by primaryKeyOf, before the object is looked for).
 */
function withGeneratedDefaults(
  cls: ClassInfo,
  values: Record<string, unknown>,
): Record<string, unknown> {
  let filled: Record<string, unknown> | undefined;
  for (const prop of cls.generatedDefaults) {
    if (prop === cls.pk || values[prop.name] !== undefined) continue;
    filled ??= { ...values };
    filled[prop.name] = defaultFor(prop);
  }
  return filled ?? values;
}

/**
 * The writer a write transaction hands out: creating objects and assigning properties, on top
 * of collection mutation and deletion (see WriterBase for the chain).
 */
export class ObjectWriter extends DeletingWriter {
  /** Creates (or, with an update mode, updates) an object; embedded objects need `attach`. */
  create(cls: ClassInfo, raw: unknown, mode: UpdateMode, embedded?: EmbeddedPlacement): ObjectRow {
    if (!isPlainRecord(raw)) {
      throw errors.invalidArgument(
        `Expected values for '${cls.name}' to be an object, got ${typeof raw}`,
      );
    }
    let values = raw;
    if (cls.embedded && !embedded) {
      throw new RealmError(
        ClientErrorCode.InvalidArgument,
        `Cannot create an object of embedded type '${cls.name}' directly; assign it to a property of its parent`,
      );
    }
    const source = rowOf(values);
    if (!source) {
      for (const key of Object.keys(values))
        if (!cls.byName.has(key)) throw errors.unknownProperty(cls.name, key);
    }
    let pkValue: unknown;
    if (cls.pk) {
      pkValue = this.primaryKeyOf(cls, values[cls.pk.name]);
      const existing = this.db.findByPrimaryKey(cls, pkValue);
      if (existing) {
        if (mode === UpdateMode.Never) {
          throw new RealmError(
            ClientErrorCode.ObjectAlreadyExists,
            `Attempting to create an object of type '${cls.name}' with an existing primary key value '${String(pkValue)}'.`,
            { details: { objectType: cls.name, primaryKey: pkValue } },
          );
        }
        this.update(existing, cls, values, mode);
        return existing;
      }
    }
    // A new object: its function defaults are called now (an update sets only what is given).
    if (!source && cls.generatedDefaults.length > 0) values = withGeneratedDefaults(cls, values);
    const row: ObjectRow = {
      key: this.db.nextKey++,
      cls,
      values: this.initialValues(cls, values, pkValue),
      alive: true,
      owner: embedded?.owner.key ?? 0,
      accessor: undefined,
    };
    this.txn.created(row);
    if (embedded) {
      embedded.attach(row.key);
    } else if (this.txn.instructions) {
      const { table, pk } = addressOf(this.db, row);
      this.txn.emit({ type: "CreateObject", table, pk });
    }
    // Plain values are already in place (initialValues); links and collections are assigned now.
    for (const prop of cls.storedProps()) {
      if (prop === cls.pk) continue;
      const given = values[prop.name];
      const isDefault = given === undefined;
      const value = isDefault ? prop.schema.default : given;
      if (value === undefined) continue;
      if (prop.collection || prop.element === "object") this.assign(row, prop, value, isDefault);
      else if (this.txn.instructions) {
        this.emitUpdate(row, [prop.key], this.payload(prop, row.values[prop.key]), isDefault);
        this.emitNested(row, prop, [prop.key], row.values[prop.key]);
      }
    }
    return row;
  }

  private primaryKeyOf(cls: ClassInfo, given: unknown): unknown {
    const pk = cls.pk as PropInfo;
    const value = given === undefined ? defaultFor(pk) : given;
    if (value === undefined) {
      if (pk.optional) return null;
      throw errors.missingProperty(cls.name, pk.name);
    }
    return toStoredPrimitive(this.where(cls, pk), pk.element, pk.optional, value);
  }

  /** Checks required values up front, so a bad create leaves nothing behind. */
  private initialValues(
    cls: ClassInfo,
    input: Record<string, unknown>,
    pkValue: unknown,
  ): Record<string, Stored> {
    const values: Record<string, Stored> = {};
    for (const prop of cls.storedProps()) {
      const given = input[prop.name] ?? prop.schema.default;
      if (prop.collection === "dictionary") values[prop.key] = {};
      else if (prop.collection) values[prop.key] = [];
      else if (prop === cls.pk) values[prop.key] = pkValue;
      else if (prop.element === "object") {
        values[prop.key] = null;
        if (given !== undefined && given !== null && !isPlainRecord(given)) {
          throw typeMismatch(this.where(cls, prop), "object", given);
        }
      } else if (given === undefined && !prop.optional)
        throw errors.missingProperty(cls.name, prop.name);
      else {
        values[prop.key] = toStoredValue(
          this.db,
          this.where(cls, prop),
          prop.element,
          prop.optional,
          given ?? null,
        );
        this.payload(prop, values[prop.key]); // a synced realm refuses what it cannot record
      }
    }
    return values;
  }

  private update(
    row: ObjectRow,
    cls: ClassInfo,
    values: Record<string, unknown>,
    mode: UpdateMode,
  ): void {
    for (const prop of cls.storedProps()) {
      if (prop === cls.pk) continue;
      const given = values[prop.name];
      if (given === undefined) continue;
      if (mode === UpdateMode.Modified && !prop.collection && prop.element !== "object") {
        const stored = toStoredValue(
          this.db,
          this.where(cls, prop),
          prop.element,
          prop.optional,
          given,
        );
        if (storedEquals(row.values[prop.key], stored)) continue;
      }
      this.assign(row, prop, given, false);
    }
  }

  /** Property assignment on a live object (`obj.prop = value`). */
  set(row: ObjectRow, prop: PropInfo, value: unknown): void {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    if (prop === row.cls.pk && !this.db.migrating) {
      throw new RealmError(
        ClientErrorCode.InvalidArgument,
        `Cannot change the primary key '${row.cls.name}.${prop.name}' of an existing object`,
      );
    }
    if (prop.element === "linkingObjects") {
      throw new RealmError(
        ClientErrorCode.ReadOnly,
        `Property '${row.cls.name}.${prop.name}' is read-only`,
      );
    }
    if (prop.schema.presentation === "counter" && value !== null && row.values[prop.key] !== null) {
      throw new RealmError(
        ClientErrorCode.InvalidArgument,
        `You can only reset the Counter '${row.cls.name}.${prop.name}' when it is null; use its increment(), decrement() or set() methods`,
      );
    }
    this.assign(row, prop, value, false);
  }

  /** Adds to an int (a Counter): recorded as AddInteger, which merges with concurrent additions. */
  increment(row: ObjectRow, prop: PropInfo, by: unknown): void {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    const delta = toStoredPrimitive(this.where(row.cls, prop), "int", false, by) as number;
    const current = row.values[prop.key];
    if (current === null)
      throw errors.invalidArgument(
        `Cannot increment the null Counter '${this.where(row.cls, prop)}'`,
      );
    this.txn.modifiedProperty(row, prop.name);
    this.db.setValue(row, prop.key, (current as number) + delta);
    if (!this.txn.instructions) return;
    const address = addressOf(this.db, row);
    this.txn.emit({
      type: "AddInteger",
      table: address.table,
      pk: address.pk,
      path: [...address.path, prop.key],
      value: Long.fromNumber(delta),
    });
  }

  setCounter(row: ObjectRow, prop: PropInfo, value: unknown): void {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    this.assign(row, prop, value, false);
  }

  private assign(row: ObjectRow, prop: PropInfo, value: unknown, isDefault: boolean): void {
    if (prop.element === "linkingObjects") return;
    if (prop.collection) {
      this.replaceCollection(row, prop, value);
      return;
    }
    if (prop.element === "object") {
      this.assignLink(row, prop, value);
      return;
    }
    const stored = toStoredValue(
      this.db,
      this.where(row.cls, prop),
      prop.element,
      prop.optional,
      value,
    );
    const payload = this.payload(prop, stored);
    this.txn.modifiedProperty(row, prop.name);
    this.db.setValue(row, prop.key, stored);
    this.emitUpdate(row, [prop.key], payload, isDefault);
    this.emitNested(row, prop, [prop.key], stored);
  }

  protected assignLink(row: ObjectRow, prop: PropInfo, value: unknown): void {
    const target = prop.target as ClassInfo;
    const previous = row.values[prop.key];
    this.txn.modifiedProperty(row, prop.name);
    if (target.embedded) {
      if (typeof previous === "number") this.deleteEmbedded(previous);
      row.values[prop.key] = null;
      if (value === null || value === undefined) {
        this.emitUpdate(row, [prop.key], null);
        return;
      }
      this.createEmbedded(target, value, row, (key) => {
        row.values[prop.key] = key;
        this.emitUpdate(row, [prop.key], { $object: true });
      });
      return;
    }
    const key = this.linkTarget(row.cls, prop, value);
    row.values[prop.key] = key;
    this.emitUpdate(row, [prop.key], payloadOf(this.db, prop, key));
  }

  createEmbedded(
    cls: ClassInfo,
    values: unknown,
    owner: ObjectRow,
    attach: (key: number) => void,
  ): ObjectRow {
    const source = rowOf(values);
    const plain = source
      ? Object.fromEntries(
          source.cls.props.map((p) => [p.name, (values as Record<string, unknown>)[p.name]]),
        )
      : values;
    return this.create(cls, plain, UpdateMode.Never, { owner, attach });
  }

  /** The key of the object a link should point to, creating it from a plain object if needed. */
  linkTarget(cls: ClassInfo, prop: PropInfo, value: unknown): number | null {
    if (value === null || value === undefined) {
      if (prop.collection === "list" || prop.collection === "set") {
        throw typeMismatch(this.where(cls, prop), "object", value);
      }
      return null;
    }
    const target = prop.target as ClassInfo;
    const row = rowOf(value);
    if (row) {
      if (!row.alive) throw errors.invalidated(row.cls.name);
      if (row.cls !== target || this.db.rowsByKey.get(row.key) !== row) {
        throw typeMismatch(this.where(cls, prop), "object", value);
      }
      return row.key;
    }
    if (!isPlainRecord(value)) throw typeMismatch(this.where(cls, prop), "object", value);
    return this.create(target, value, target.pk ? UpdateMode.All : UpdateMode.Never).key;
  }

  private replaceCollection(row: ObjectRow, prop: PropInfo, value: unknown): void {
    const where = this.where(row.cls, prop);
    if (prop.collection === "dictionary") {
      if (!isPlainRecord(value) && value !== null) throw typeMismatch(where, "object", value);
    } else if (value === null || typeof value !== "object" || !(Symbol.iterator in value)) {
      throw new RealmError(
        ClientErrorCode.PropertyTypeMismatch,
        `Expected '${where}' to be an iterable, got ${typeof value}`,
      );
    }
    this.clearCollection(row, prop);
    if (prop.collection === "dictionary") {
      for (const [key, item] of Object.entries((value ?? {}) as Record<string, unknown>))
        this.dictionarySet(row, prop, key, item);
    } else if (prop.collection === "set") {
      for (const item of [...(value as Iterable<unknown>)]) this.setAdd(row, prop, item);
    } else {
      for (const item of [...(value as Iterable<unknown>)]) {
        this.listInsert(row, prop, (row.values[prop.key] as Stored[]).length, item);
      }
    }
  }
}
