/**
 * Every mutation of objects goes through here: it checks and converts values, changes rows
 * through the transaction (before-images, change tracking) and emits the changeset
 * instructions that describe the change.
 */
import { Long } from "bson";
import { ClientErrorCode, RealmError, errors } from "../errors.js";
import type { Database } from "../core/Database.js";
import { addressOf } from "../core/paths.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { storedEquals, toStoredPrimitive, typeMismatch } from "../values/convert.js";
import { payloadOf } from "./payload.js";
import type { WriteTransaction } from "./WriteTransaction.js";
import { rowOf } from "../objects/symbols.js";

export const UpdateMode = {
  Never: "never",
  Modified: "modified",
  All: "all",
} as const;
export type UpdateMode = (typeof UpdateMode)[keyof typeof UpdateMode];

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/** Where a new embedded object goes: `attach` stores its key in the owner and emits the owner's instruction. */
interface EmbeddedPlacement {
  readonly owner: ObjectRow;
  readonly attach: (key: number) => void;
}

export class ObjectWriter {
  constructor(
    readonly db: Database,
    readonly txn: WriteTransaction,
  ) {}

  where(_cls: ClassInfo, prop: PropInfo): string {
    return prop.qualifiedName;
  }

  /** Creates (or, with an update mode, updates) an object; embedded objects need `attach`. */
  create(
    cls: ClassInfo,
    values: unknown,
    mode: UpdateMode,
    embedded?: EmbeddedPlacement,
  ): ObjectRow {
    if (!isPlainRecord(values)) {
      throw errors.invalidArgument(
        `Expected values for '${cls.name}' to be an object, got ${typeof values}`,
      );
    }
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
      else if (this.txn.instructions)
        this.emitUpdate(row, [prop.key], payloadOf(this.db, prop, row.values[prop.key]), isDefault);
    }
    return row;
  }

  private primaryKeyOf(cls: ClassInfo, given: unknown): unknown {
    const pk = cls.pk as PropInfo;
    const value = given === undefined ? pk.schema.default : given;
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
      else
        values[prop.key] = toStoredPrimitive(
          this.where(cls, prop),
          prop.element,
          prop.optional,
          given ?? null,
        );
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
        const stored = toStoredPrimitive(this.where(cls, prop), prop.element, prop.optional, given);
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
    const stored = toStoredPrimitive(this.where(row.cls, prop), prop.element, prop.optional, value);
    this.txn.modifiedProperty(row, prop.name);
    this.db.setValue(row, prop.key, stored);
    this.emitUpdate(row, [prop.key], payloadOf(this.db, prop, stored), isDefault);
  }

  emitUpdate(
    row: ObjectRow,
    path: (string | number)[],
    value: ReturnType<typeof payloadOf>,
    isDefault = false,
  ): void {
    if (!this.txn.instructions) return;
    const address = addressOf(this.db, row);
    this.txn.emit({
      type: "Update",
      table: address.table,
      pk: address.pk,
      path: [...address.path, ...path],
      value,
      ...(isDefault ? { isDefault } : {}),
    });
  }

  private assignLink(row: ObjectRow, prop: PropInfo, value: unknown): void {
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

  // --- collections -------------------------------------------------------------------------

  private element(row: ObjectRow, prop: PropInfo, value: unknown): Stored {
    if (prop.element === "object") return this.linkTarget(row.cls, prop, value);
    return toStoredPrimitive(this.where(row.cls, prop), prop.element, prop.optional, value);
  }

  private emitPath(
    type:
      | "Update"
      | "ArrayInsert"
      | "ArrayErase"
      | "ArrayMove"
      | "Clear"
      | "SetInsert"
      | "SetErase"
      | "Erase",
    row: ObjectRow,
    path: (string | number)[],
    rest: Record<string, unknown>,
  ): void {
    if (!this.txn.instructions) return;
    const address = addressOf(this.db, row);
    this.txn.emit({
      type,
      table: address.table,
      pk: address.pk,
      path: [...address.path, ...path],
      ...rest,
    } as never);
  }

  listInsert(row: ObjectRow, prop: PropInfo, index: number, value: unknown): void {
    const list = row.values[prop.key] as Stored[];
    if (!Number.isInteger(index) || index < 0 || index > list.length)
      throw errors.indexOutOfRange("insert()", index, list.length);
    this.txn.modifiedProperty(row, prop.name);
    if (prop.target?.embedded) {
      this.createEmbedded(prop.target, value, row, (key) => {
        list.splice(index, 0, key);
        this.emitPath("ArrayInsert", row, [prop.key, index], {
          value: { $object: true },
          priorSize: list.length - 1,
        });
      });
      return;
    }
    const stored = this.element(row, prop, value);
    list.splice(index, 0, stored);
    this.emitPath("ArrayInsert", row, [prop.key, index], {
      value: payloadOf(this.db, prop, stored),
      priorSize: list.length - 1,
    });
  }

  listSet(row: ObjectRow, prop: PropInfo, index: number, value: unknown): void {
    const list = row.values[prop.key] as Stored[];
    if (!Number.isInteger(index) || index < 0 || index >= list.length)
      throw errors.indexOutOfRange("set()", index, list.length);
    this.txn.modifiedProperty(row, prop.name);
    if (prop.target?.embedded) {
      this.deleteEmbedded(list[index] as number);
      this.createEmbedded(prop.target, value, row, (key) => {
        list[index] = key;
        this.emitUpdate(row, [prop.key, index], { $object: true });
      });
      return;
    }
    const stored = this.element(row, prop, value);
    list[index] = stored;
    this.emitPath("Update", row, [prop.key, index], {
      value: payloadOf(this.db, prop, stored),
      priorSize: list.length,
    });
  }

  listRemove(row: ObjectRow, prop: PropInfo, index: number): void {
    const list = row.values[prop.key] as Stored[];
    if (!Number.isInteger(index) || index < 0 || index >= list.length)
      throw errors.indexOutOfRange("remove()", index, list.length);
    this.txn.modifiedProperty(row, prop.name);
    this.emitPath("ArrayErase", row, [prop.key, index], { priorSize: list.length });
    const [removed] = list.splice(index, 1);
    if (prop.target?.embedded) this.deleteEmbedded(removed as number);
  }

  listMove(row: ObjectRow, prop: PropInfo, from: number, to: number): void {
    const list = row.values[prop.key] as Stored[];
    if (!Number.isInteger(from) || from < 0 || from >= list.length)
      throw errors.indexOutOfRange("move()", from, list.length);
    if (!Number.isInteger(to) || to < 0 || to >= list.length)
      throw errors.indexOutOfRange("move()", to, list.length);
    this.txn.modifiedProperty(row, prop.name);
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item);
    this.emitPath("ArrayMove", row, [prop.key, from], { to, priorSize: list.length });
  }

  clearCollection(row: ObjectRow, prop: PropInfo): void {
    const current = row.values[prop.key];
    const empty = Array.isArray(current)
      ? current.length === 0
      : Object.keys(current as object).length === 0;
    if (empty) return;
    this.txn.modifiedProperty(row, prop.name);
    if (prop.target?.embedded) {
      for (const key of Array.isArray(current) ? current : Object.values(current as object)) {
        if (typeof key === "number") this.deleteEmbedded(key);
      }
    }
    row.values[prop.key] = prop.collection === "dictionary" ? {} : [];
    this.emitPath("Clear", row, [prop.key], { collectionType: prop.collection });
  }

  setAdd(row: ObjectRow, prop: PropInfo, value: unknown): boolean {
    const stored = this.element(row, prop, value);
    const set = row.values[prop.key] as Stored[];
    if (set.some((item) => storedEquals(item, stored))) return false;
    this.txn.modifiedProperty(row, prop.name);
    set.push(stored);
    this.emitPath("SetInsert", row, [prop.key], { value: payloadOf(this.db, prop, stored) });
    return true;
  }

  setDelete(row: ObjectRow, prop: PropInfo, value: unknown): boolean {
    let stored: Stored;
    try {
      stored = prop.element === "object" ? rowOf(value)?.key : this.element(row, prop, value);
    } catch {
      return false;
    }
    const set = row.values[prop.key] as Stored[];
    const index = set.findIndex((item) => storedEquals(item, stored));
    if (index < 0) return false;
    this.txn.modifiedProperty(row, prop.name);
    this.emitPath("SetErase", row, [prop.key], { value: payloadOf(this.db, prop, stored) });
    set.splice(index, 1);
    return true;
  }

  dictionarySet(row: ObjectRow, prop: PropInfo, key: string, value: unknown): void {
    if (typeof key !== "string" || key.includes(".") || key.startsWith("$")) {
      throw errors.invalidArgument(
        `Dictionary key '${String(key)}' of '${this.where(row.cls, prop)}' must be a string without '.' that does not start with '$'`,
      );
    }
    const dictionary = row.values[prop.key] as Record<string, Stored>;
    this.txn.modifiedProperty(row, prop.name);
    if (prop.target?.embedded) {
      const previous = dictionary[key];
      if (typeof previous === "number") this.deleteEmbedded(previous);
      if (value === null || value === undefined) {
        dictionary[key] = null;
        this.emitUpdate(row, [prop.key, key], null);
        return;
      }
      this.createEmbedded(prop.target, value, row, (child) => {
        dictionary[key] = child;
        this.emitUpdate(row, [prop.key, key], { $object: true });
      });
      return;
    }
    const stored =
      prop.element === "object"
        ? this.linkTarget(row.cls, { ...prop, collection: undefined }, value)
        : this.element(row, prop, value);
    dictionary[key] = stored;
    this.emitUpdate(row, [prop.key, key], payloadOf(this.db, prop, stored));
  }

  dictionaryRemove(row: ObjectRow, prop: PropInfo, key: string): boolean {
    const dictionary = row.values[prop.key] as Record<string, Stored>;
    if (!Object.hasOwn(dictionary, key)) return false;
    this.txn.modifiedProperty(row, prop.name);
    this.emitPath("Erase", row, [prop.key, key], {});
    const previous = dictionary[key];
    delete dictionary[key];
    if (prop.target?.embedded && typeof previous === "number") this.deleteEmbedded(previous);
    return true;
  }

  // --- deletion ----------------------------------------------------------------------------

  delete(row: ObjectRow): void {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    if (row.cls.embedded) {
      this.detachEmbedded(row);
      return;
    }
    const { table, pk } = addressOf(this.db, row);
    this.txn.emit({ type: "EraseObject", table, pk });
    this.removeWithDependents(row);
  }

  private detachEmbedded(row: ObjectRow): void {
    const owner = this.db.rowsByKey.get(row.owner);
    const holder = owner?.cls.props.find(
      (p) => p.target === row.cls && this.holds(owner, p, row.key),
    );
    if (!owner || !holder) {
      this.removeWithDependents(row);
      return;
    }
    const value = owner.values[holder.key];
    if (value === row.key) this.assignLink(owner, holder, null);
    else if (Array.isArray(value)) this.listRemove(owner, holder, value.indexOf(row.key));
    else {
      const entry = Object.entries(value as object).find(([, v]) => v === row.key);
      if (entry) this.dictionaryRemove(owner, holder, entry[0]);
    }
  }

  private holds(owner: ObjectRow, prop: PropInfo, key: number): boolean {
    const value = owner.values[prop.key];
    if (value === key) return true;
    if (Array.isArray(value)) return value.includes(key);
    return value !== null && typeof value === "object" && Object.values(value).includes(key);
  }

  private deleteEmbedded(key: number): void {
    const child = this.db.rowsByKey.get(key);
    if (child) this.removeWithDependents(child);
  }

  /** Removes an object, the embedded objects it owns, and every link to it (lists shrink, links become null). */
  private removeWithDependents(row: ObjectRow): void {
    for (const prop of row.cls.props) {
      if (!prop.target?.embedded) continue;
      const value = row.values[prop.key];
      const keys = Array.isArray(value)
        ? value
        : value !== null && typeof value === "object"
          ? Object.values(value)
          : [value];
      for (const key of keys) if (typeof key === "number") this.deleteEmbedded(key);
    }
    this.txn.deleted(row);
    if (row.cls.embedded) return;
    for (const { cls, prop } of row.cls.incoming) this.unlinkAll(cls, prop, row.key);
  }

  private unlinkAll(cls: ClassInfo, prop: PropInfo, key: number): void {
    for (const origin of cls.rows.values()) {
      const value = origin.values[prop.key];
      if (value === key) {
        this.txn.modifiedProperty(origin, prop.name);
        origin.values[prop.key] = null;
      } else if (Array.isArray(value) && value.includes(key)) {
        this.txn.modifiedProperty(origin, prop.name);
        origin.values[prop.key] = value.filter((k) => k !== key);
      } else if (prop.collection === "dictionary" && value !== null && typeof value === "object") {
        const dictionary = value as Record<string, Stored>;
        for (const [name, item] of Object.entries(dictionary)) {
          if (item !== key) continue;
          this.txn.modifiedProperty(origin, prop.name);
          dictionary[name] = null;
        }
      }
    }
  }
}
