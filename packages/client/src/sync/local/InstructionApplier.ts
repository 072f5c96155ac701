/**
 * Applies changeset instructions to the live Database inside one write transaction (so
 * before-images, listener changes and the atomic store commit work as for local writes), without
 * recording them as local changesets.
 *
 * Strict mode (server changesets): an instruction that does not fit the local schema (unknown
 * property, wrong value type, impossible path, index out of range) is a BadChangesetError.
 * Lenient mode (redoing local changesets on a new base): such an instruction is skipped and list
 * indices are clamped. In both modes, instructions for tables outside the local schema or of
 * asymmetric types (never kept as objects) are skipped, creating an existing object and erasing
 * or changing a missing one are no-ops, and a link to an object that is absent once the whole
 * changeset is applied becomes null (a list drops it).
 */
import type { Instruction, PrimaryKey } from "@atoll/protocol";
import { fillMissing } from "../../core/Database.js";
import type { Database } from "../../core/Database.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../../schema/ClassInfo.js";
import { pkIndexKey } from "../../values/indexKey.js";
import { storedEquals } from "../../values/convert.js";
import type { ObjectWriter } from "../../transaction/ObjectWriter.js";
import type { WriteTransaction } from "../../transaction/WriteTransaction.js";
import { applyInsideMixed, cleared } from "./applyInsideMixed.js";
import { BadChangesetError } from "./BadChangesetError.js";
import { propertyByKey, resolvePath } from "./instructionPaths.js";
import type { Target } from "./instructionPaths.js";
import { PendingLinks } from "./pendingLinks.js";
import { ValueMismatch, convertValue, primaryKeyValue, samePrimaryKey } from "./storedValue.js";
import type { ConvertedValue } from "./storedValue.js";

export type ApplyMode = "strict" | "lenient";

export class InstructionApplier {
  /** Top-level rows an undo removed, by table and primary key: a redo that creates them again revives them. */
  readonly removedByUndo = new Map<string, Map<unknown, ObjectRow>>();
  /** Classes where a row with an old key came back: their rows need re-sorting by key. */
  readonly revivedClasses = new Set<ClassInfo>();
  private readonly pendingLinks = new PendingLinks();
  private mode: ApplyMode = "strict";

  constructor(
    private readonly db: Database,
    private readonly txn: WriteTransaction,
    private readonly writer: ObjectWriter,
  ) {}

  /** Applies one changeset; throws BadChangesetError in strict mode (the caller rolls back). */
  applyChangeset(instructions: readonly Instruction[], mode: ApplyMode): void {
    this.mode = mode;
    for (let at = 0; at < instructions.length; at++) {
      const instruction = instructions[at] as Instruction;
      try {
        at = this.apply(instructions, at);
      } catch (error) {
        if (!(error instanceof ValueMismatch)) throw error;
        if (mode === "strict") throw new BadChangesetError(instruction, error.message);
      }
    }
    this.pendingLinks.resolve((table, pk) => this.findObject(table, pk));
  }

  /** The live top-level object a table and wire primary key name, if any. */
  findObject(table: string, pk: PrimaryKey): ObjectRow | undefined {
    const cls = this.db.classes.get(table);
    if (!cls || cls.embedded) return undefined;
    let value: Stored;
    try {
      value = primaryKeyValue(cls, pk);
    } catch {
      return undefined;
    }
    return cls.pk ? this.db.findByPrimaryKey(cls, value) : this.db.liveRow(value as number);
  }

  /**
   * The object the previous instruction addressed: changesets address one object by several
   * instructions in a row (a whole object is a CreateObject and an Update per field), so the
   * next one usually needs no lookup. Valid while the row lives (primary keys do not change).
   */
  private last: { table: string; pk: PrimaryKey; row: ObjectRow } | undefined;

  /**
   * Applies `instructions[at]`, and for a new object the plain field values set right after
   * its CreateObject (see plainFieldsAfter); returns the index of the last instruction applied.
   */
  private apply(instructions: readonly Instruction[], at: number): number {
    const instruction = instructions[at] as Instruction;
    const last = this.last;
    if (
      last?.row.alive &&
      last.table === instruction.table &&
      samePrimaryKey(last.pk, instruction.pk)
    ) {
      if (instruction.type !== "CreateObject") this.change(last.row, instruction);
      return at;
    }
    const cls = this.db.classes.get(instruction.table);
    // Asymmetric objects are never kept as objects (a redo of a pending changeset names them).
    if (!cls || cls.asymmetric) return at;
    if (cls.embedded) throw new ValueMismatch(`${cls.name} is an embedded type`);
    const pkValue = primaryKeyValue(cls, instruction.pk);
    let row = cls.pk ? this.db.findByPrimaryKey(cls, pkValue) : this.db.liveRow(pkValue as number);
    let end = at;
    if (!row && instruction.type === "CreateObject") {
      const fields: Record<string, Stored> = {};
      end = this.plainFieldsAfter(instructions, at, cls, fields);
      row = this.createObject(cls, pkValue, fields);
    }
    if (!row) return at;
    this.last = { table: instruction.table, pk: instruction.pk, row };
    if (instruction.type !== "CreateObject") this.change(row, instruction);
    return end;
  }

  /**
   * Collects into `fields` the values of the Updates right after the CreateObject at `at` that
   * set a plain (not collection, link or primary key) property of that same object to a valid
   * value, so the new object is created with them, as a local create is: what applying them one
   * by one would leave, at the cost of one object. Returns the index of the last one taken.
   */
  private plainFieldsAfter(
    instructions: readonly Instruction[],
    at: number,
    cls: ClassInfo,
    fields: Record<string, Stored>,
  ): number {
    const create = instructions[at] as Instruction;
    let last = at;
    for (let i = at + 1; i < instructions.length; i++) {
      const next = instructions[i] as Instruction;
      if (
        next.type !== "Update" ||
        next.path.length !== 1 ||
        next.table !== create.table ||
        !samePrimaryKey(next.pk, create.pk)
      )
        break;
      const name = next.path[0];
      const prop = typeof name === "string" ? propertyByKey(cls, name) : undefined;
      if (!prop || prop.collection || prop.element === "object" || prop === cls.pk) break;
      let converted: ConvertedValue;
      try {
        converted = convertValue(prop, next.value);
      } catch {
        break; // applied on its own, which reports it
      }
      if (converted.kind !== "value") break;
      fields[prop.key] = converted.stored;
      last = i;
    }
    return last;
  }

  /** Applies an instruction other than CreateObject to the live object it addresses. */
  private change(
    row: ObjectRow,
    instruction: Exclude<Instruction, { type: "CreateObject" }>,
  ): void {
    if (instruction.type === "EraseObject") {
      this.writer.delete(row);
      return;
    }
    const target = resolvePath(this.db, row, instruction.path);
    if (target.nested !== undefined) {
      applyInsideMixed(this.txn, { ...target, nested: target.nested }, instruction, this.mode);
      return;
    }
    switch (instruction.type) {
      case "Update":
        this.update(target, instruction.value);
        return;
      case "AddInteger":
        this.addInteger(target, instruction.value.toNumber());
        return;
      case "ArrayInsert":
        this.arrayInsert(target, instruction.value);
        return;
      case "ArrayMove":
        this.arrayMove(target, instruction.to);
        return;
      case "ArrayErase":
        this.writer.listRemove(target.row, target.prop, this.listIndex(target, false));
        return;
      case "Clear":
        if (
          target.element === undefined &&
          target.prop.element === "mixed" &&
          !target.prop.collection
        ) {
          // A mixed property holding a list or dictionary, cleared in place.
          const empty = cleared(target.row.values, target.prop.key, instruction.collectionType);
          this.txn.modifiedProperty(target.row, target.prop.name);
          this.db.setValue(target.row, target.prop.key, empty);
          return;
        }
        if (target.element !== undefined || !target.prop.collection)
          throw new ValueMismatch("not a collection");
        this.writer.clearCollection(target.row, target.prop);
        return;
      case "SetInsert":
      case "SetErase":
        this.setChange(target, instruction.value, instruction.type === "SetInsert");
        return;
      case "Erase":
        this.dictionaryErase(target);
        return;
    }
  }

  private createObject(cls: ClassInfo, pkValue: Stored, fields: Record<string, Stored>): ObjectRow {
    const removedRows = this.removedByUndo.get(cls.name);
    const removed = removedRows?.get(pkIndexKey(pkValue));
    removedRows?.delete(pkIndexKey(pkValue));
    const values: Record<string, Stored> = {};
    if (cls.pk) values[cls.pk.key] = pkValue;
    fillMissing(cls, values);
    Object.assign(values, fields);
    if (removed?.alive === false) this.revivedClasses.add(cls);
    const row: ObjectRow = (removed?.alive === false ? removed : undefined) ?? {
      key: this.db.nextKey++,
      cls,
      values,
      alive: true,
      owner: 0,
      accessor: undefined,
    };
    row.values = values;
    this.txn.created(row);
    return row;
  }

  private createEmbedded(cls: ClassInfo, owner: ObjectRow): number {
    const values: Record<string, Stored> = {};
    fillMissing(cls, values);
    const row: ObjectRow = {
      key: this.db.nextKey++,
      cls,
      values,
      alive: true,
      owner: owner.key,
      accessor: undefined,
    };
    this.txn.created(row);
    return row.key;
  }

  /** The stored value for `prop` (a placeholder for a link to be resolved later, a new embedded object's key). */
  private storedFor(target: Target, converted: ConvertedValue): Stored {
    if (converted.kind === "value") return converted.stored;
    if (converted.kind === "object")
      return this.createEmbedded(target.prop.target as ClassInfo, target.row);
    const linked = this.findObject(converted.table, converted.pk);
    if (linked) return linked.key;
    return this.pendingLinks.add(target.row, target.prop, converted.table, converted.pk);
  }

  private update(target: Target, value: Parameters<typeof convertValue>[1]): void {
    const { row, prop, element } = target;
    if (element === undefined) {
      if (prop.collection) throw new ValueMismatch(`${prop.qualifiedName} is a collection`);
      if (prop === row.cls.pk) {
        if (storedEquals(primaryKeyValue(row.cls, value as PrimaryKey), row.values[prop.key]))
          return;
        throw new ValueMismatch("the primary key cannot change");
      }
      const converted = convertValue(prop, value);
      this.txn.modifiedProperty(row, prop.name);
      this.dropEmbedded(row.values[prop.key], prop);
      this.db.setValue(row, prop.key, this.storedFor(target, converted));
      return;
    }
    if (prop.collection === "list") {
      const index = this.listIndex(target, false);
      const converted = convertValue(prop, value);
      this.txn.modifiedProperty(row, prop.name);
      const list = row.values[prop.key] as Stored[];
      this.dropEmbedded(list[index], prop);
      list[index] = this.storedFor(target, converted);
      return;
    }
    if (prop.collection === "dictionary" && typeof element === "string") {
      const converted = convertValue(prop, value);
      this.txn.modifiedProperty(row, prop.name);
      const dictionary = row.values[prop.key] as Record<string, Stored>;
      this.dropEmbedded(dictionary[element], prop);
      dictionary[element] = this.storedFor(target, converted);
      return;
    }
    throw new ValueMismatch(`cannot update an element of ${prop.qualifiedName}`);
  }

  private dropEmbedded(previous: Stored, prop: PropInfo): void {
    if (prop.target?.embedded && typeof previous === "number") this.writer.deleteEmbedded(previous);
  }

  private addInteger(target: Target, delta: number): void {
    const { row, prop, element } = target;
    if (
      element !== undefined ||
      prop.collection ||
      (prop.element !== "int" && prop.element !== "mixed")
    )
      throw new ValueMismatch(`${prop.qualifiedName} is not an integer`);
    const current = row.values[prop.key];
    if (typeof current !== "number") {
      if (current === null) return;
      throw new ValueMismatch(`${prop.qualifiedName} does not hold an integer`);
    }
    this.txn.modifiedProperty(row, prop.name);
    this.db.setValue(row, prop.key, current + delta);
  }

  /** A list index from the path; lenient mode clamps (inserts) or rejects quietly (the rest). */
  private listIndex(target: Target, inserting: boolean): number {
    const { row, prop, element } = target;
    if (prop.collection !== "list" || typeof element !== "number")
      throw new ValueMismatch(`${prop.qualifiedName} is not a list`);
    const size = (row.values[prop.key] as Stored[]).length;
    const limit = inserting ? size : size - 1;
    if (element <= limit) return element;
    if (this.mode === "lenient" && inserting) return size;
    throw new ValueMismatch(`index ${element} is out of range (size ${size})`);
  }

  private arrayInsert(target: Target, value: Parameters<typeof convertValue>[1]): void {
    const index = this.listIndex(target, true);
    const converted = convertValue(target.prop, value);
    this.txn.modifiedProperty(target.row, target.prop.name);
    const list = target.row.values[target.prop.key] as Stored[];
    list.splice(index, 0, this.storedFor(target, converted));
  }

  private arrayMove(target: Target, to: number): void {
    const from = this.listIndex(target, false);
    this.listIndex({ ...target, element: to }, false);
    this.writer.listMove(target.row, target.prop, from, to);
  }

  private setChange(
    target: Target,
    value: Parameters<typeof convertValue>[1],
    insert: boolean,
  ): void {
    const { row, prop, element } = target;
    if (prop.collection !== "set" || element !== undefined)
      throw new ValueMismatch(`${prop.qualifiedName} is not a set`);
    const converted = convertValue(prop, value);
    let stored: Stored;
    if (converted.kind === "link") {
      const linked = this.findObject(converted.table, converted.pk);
      if (!linked) return;
      stored = linked.key;
    } else if (converted.kind === "value") stored = converted.stored;
    else throw new ValueMismatch("sets cannot hold embedded objects");
    const set = row.values[prop.key] as Stored[];
    const index = set.findIndex((item) => storedEquals(item, stored));
    if (insert === index >= 0) return;
    this.txn.modifiedProperty(row, prop.name);
    if (insert) set.push(stored);
    else set.splice(index, 1);
  }

  private dictionaryErase(target: Target): void {
    const { row, prop, element } = target;
    if (prop.collection !== "dictionary" || typeof element !== "string")
      throw new ValueMismatch(`${prop.qualifiedName} is not a dictionary`);
    this.writer.dictionaryRemove(row, prop, element);
  }
}
