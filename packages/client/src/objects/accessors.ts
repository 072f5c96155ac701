/**
 * Builds the prototype of each object type: one getter/setter pair per property, specialised by
 * property kind at build time so that a read of a plain value is a slot check and a field load.
 */
import type { RealmContext } from "../core/RealmContext.js";
import { errors } from "../errors.js";
import type { ClassInfo, ObjectRow, PropInfo } from "../schema/ClassInfo.js";
import { fromStoredPrimitive } from "../values/convert.js";
import { List } from "../collections/List.js";
import { RealmSet } from "../collections/RealmSet.js";
import { createDictionary } from "../collections/Dictionary.js";
import { backlinkResults } from "../collections/backlinks.js";
import { MixedList, readMixed } from "../collections/mixedCollections.js";
import { RealmObject } from "./RealmObject.js";
import { Counter } from "./Counter.js";
import { CONTEXT, ROW } from "./symbols.js";

interface Live {
  [ROW]: ObjectRow;
  [CONTEXT]: RealmContext;
}

function getterFor(prop: PropInfo): (this: Live) => unknown {
  const key = prop.key;
  if (prop.element === "linkingObjects") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      return backlinkResults(
        this[CONTEXT],
        row,
        prop.objectType as string,
        prop.schema.property as string,
      );
    };
  }
  if (prop.collection === "list") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      if (prop.element === "mixed") return new MixedList(this[CONTEXT], row, prop);
      return new List(this[CONTEXT], row, prop);
    };
  }
  if (prop.collection === "set") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      return new RealmSet(this[CONTEXT], row, prop);
    };
  }
  if (prop.collection === "dictionary") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      if (prop.element === "mixed") return readMixed(this[CONTEXT], row, prop, [], row.values[key]);
      return createDictionary(this[CONTEXT], row, prop);
    };
  }
  if (prop.element === "object") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      const target = row.values[key];
      if (target === null || target === undefined) return null;
      const targetRow = this[CONTEXT].db.rowsByKey.get(target as number);
      return targetRow ? this[CONTEXT].objectFor(targetRow) : null;
    };
  }
  if (prop.schema.presentation === "counter") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      return row.values[key] === null ? null : new Counter(this[CONTEXT], row, prop);
    };
  }
  if (prop.element === "mixed") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      return readMixed(this[CONTEXT], row, prop, [], row.values[key]);
    };
  }
  if (prop.element === "data") {
    return function (this: Live) {
      const row = this[ROW];
      if (!row.alive) throw errors.invalidated(row.cls.name);
      return fromStoredPrimitive(row.values[key]);
    };
  }
  return function (this: Live) {
    const row = this[ROW];
    if (row.alive) return row.values[key];
    throw errors.invalidated(row.cls.name);
  };
}

function setterFor(prop: PropInfo): (this: Live, value: unknown) => void {
  return function (this: Live, value: unknown) {
    this[CONTEXT].writer().set(this[ROW], prop, value);
  };
}

/**
 * The prototype objects of `cls` get: the user's class prototype for class-based schemas (so
 * their methods work), else a generated subclass of Realm.Object named after the type.
 */
export function buildPrototype(cls: ClassInfo): object {
  const ctor = cls.schema.ctor;
  let proto: object;
  if (ctor) {
    proto = ctor.prototype as object;
  } else {
    const named = { [cls.name]: class extends RealmObject {} }[cls.name] as typeof RealmObject;
    proto = named.prototype;
  }
  for (const prop of cls.props) {
    Object.defineProperty(proto, prop.name, {
      get: getterFor(prop),
      set: setterFor(prop),
      enumerable: true,
      configurable: true,
    });
  }
  return proto;
}
