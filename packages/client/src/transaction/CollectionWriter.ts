/**
 * List, set and dictionary mutations, each with its changeset instruction. List and dictionary
 * mutations take the `at` path of a collection nested in a mixed value ([] for the property's
 * own collection).
 */
import { ClientErrorCode, RealmError, errors } from "../errors.js";
import type { ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { storedEquals } from "../values/convert.js";
import { isStoredDictionary, isStoredList, valueAt } from "../values/nested.js";
import type { NestedPath } from "../values/nested.js";
import { rowOf } from "../objects/symbols.js";
import { checkDictionaryKey } from "./mixedValue.js";
import { WriterBase } from "./WriterBase.js";

export abstract class CollectionWriter extends WriterBase {
  private listAt(row: ObjectRow, prop: PropInfo, at: NestedPath): Stored[] {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    const list = valueAt(row.values[prop.key], at);
    if (!isStoredList(list)) throw errors.invalidated(row.cls.name);
    return list;
  }

  private dictionaryAt(row: ObjectRow, prop: PropInfo, at: NestedPath): Record<string, Stored> {
    if (!row.alive) throw errors.invalidated(row.cls.name);
    const dictionary = valueAt(row.values[prop.key], at);
    if (!isStoredDictionary(dictionary)) throw errors.invalidated(row.cls.name);
    return dictionary;
  }

  listInsert(
    row: ObjectRow,
    prop: PropInfo,
    index: number,
    value: unknown,
    at: NestedPath = [],
  ): void {
    const list = this.listAt(row, prop, at);
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
    const payload = this.payload(prop, stored);
    list.splice(index, 0, stored);
    this.emitPath("ArrayInsert", row, [prop.key, ...at, index], {
      value: payload,
      priorSize: list.length - 1,
    });
    this.emitNested(row, prop, [prop.key, ...at, index], stored);
  }

  listSet(
    row: ObjectRow,
    prop: PropInfo,
    index: number,
    value: unknown,
    at: NestedPath = [],
  ): void {
    const list = this.listAt(row, prop, at);
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
    const payload = this.payload(prop, stored);
    list[index] = stored;
    this.emitPath("Update", row, [prop.key, ...at, index], {
      value: payload,
      priorSize: list.length,
    });
    this.emitNested(row, prop, [prop.key, ...at, index], stored);
  }

  listRemove(row: ObjectRow, prop: PropInfo, index: number, at: NestedPath = []): void {
    const list = this.listAt(row, prop, at);
    if (!Number.isInteger(index) || index < 0 || index >= list.length)
      throw errors.indexOutOfRange("remove()", index, list.length);
    this.txn.modifiedProperty(row, prop.name);
    this.emitPath("ArrayErase", row, [prop.key, ...at, index], { priorSize: list.length });
    const [removed] = list.splice(index, 1);
    if (prop.target?.embedded) this.deleteEmbedded(removed as number);
  }

  listMove(row: ObjectRow, prop: PropInfo, from: number, to: number, at: NestedPath = []): void {
    const list = this.listAt(row, prop, at);
    if (!Number.isInteger(from) || from < 0 || from >= list.length)
      throw errors.indexOutOfRange("move()", from, list.length);
    if (!Number.isInteger(to) || to < 0 || to >= list.length)
      throw errors.indexOutOfRange("move()", to, list.length);
    this.txn.modifiedProperty(row, prop.name);
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item);
    this.emitPath("ArrayMove", row, [prop.key, ...at, from], { to, priorSize: list.length });
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
    if (isStoredList(stored) || isStoredDictionary(stored)) {
      throw new RealmError(
        ClientErrorCode.PropertyTypeMismatch,
        `A set cannot hold lists or dictionaries ('${this.where(row.cls, prop)}')`,
      );
    }
    const set = row.values[prop.key] as Stored[];
    if (set.some((item) => storedEquals(item, stored))) return false;
    this.txn.modifiedProperty(row, prop.name);
    set.push(stored);
    this.emitPath("SetInsert", row, [prop.key], { value: this.payload(prop, stored) });
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
    this.emitPath("SetErase", row, [prop.key], { value: this.payload(prop, stored) });
    set.splice(index, 1);
    return true;
  }

  dictionarySet(
    row: ObjectRow,
    prop: PropInfo,
    key: string,
    value: unknown,
    at: NestedPath = [],
  ): void {
    checkDictionaryKey(this.where(row.cls, prop), key);
    const dictionary = this.dictionaryAt(row, prop, at);
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
    const payload = this.payload(prop, stored);
    Object.defineProperty(dictionary, key, {
      value: stored,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    this.emitUpdate(row, [prop.key, ...at, key], payload);
    this.emitNested(row, prop, [prop.key, ...at, key], stored);
  }

  dictionaryRemove(row: ObjectRow, prop: PropInfo, key: string, at: NestedPath = []): boolean {
    const dictionary = this.dictionaryAt(row, prop, at);
    if (!Object.hasOwn(dictionary, key)) return false;
    this.txn.modifiedProperty(row, prop.name);
    this.emitPath("Erase", row, [prop.key, ...at, key], {});
    const previous = dictionary[key];
    delete dictionary[key];
    if (prop.target?.embedded && typeof previous === "number") this.deleteEmbedded(previous);
    return true;
  }
}
