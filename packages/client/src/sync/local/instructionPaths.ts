/**
 * Instruction paths: from a top-level object through property names, list indices and
 * dictionary keys (and the embedded objects they hold) to the property an instruction changes,
 * and on into the lists and dictionaries a mixed value holds.
 */
import type { PathElement } from "@atoll/protocol";
import type { Database } from "../../core/Database.js";
import type { ClassInfo, ObjectRow, PropInfo, Stored } from "../../schema/ClassInfo.js";
import type { NestedPath } from "../../values/nested.js";
import { ValueMismatch } from "./storedValue.js";

/**
 * Where a path ends: the object holding the property, the property, and an index or key in it.
 * Below a mixed value, `nested` is the path from the property's value to the list or
 * dictionary holding `element` (a path into a collection nested in a mixed value).
 */
export interface Target {
  readonly row: ObjectRow;
  readonly prop: PropInfo;
  readonly element: PathElement | undefined;
  readonly nested?: NestedPath;
}

const propsByKey = new WeakMap<ClassInfo, Map<string, PropInfo>>();

/** A class's stored property by its key (the name instructions use). */
export function propertyByKey(cls: ClassInfo, key: string): PropInfo | undefined {
  let map = propsByKey.get(cls);
  if (!map) {
    map = new Map(cls.storedProps().map((prop) => [prop.key, prop]));
    propsByKey.set(cls, map);
  }
  return map.get(key);
}

/** Walks a path through embedded objects to the property (and index or key) it ends in. */
export function resolvePath(db: Database, start: ObjectRow, path: readonly PathElement[]): Target {
  let row = start;
  let i = 0;
  for (;;) {
    const name = path[i++];
    const prop = typeof name === "string" ? propertyByKey(row.cls, name) : undefined;
    if (!prop) throw new ValueMismatch(`${row.cls.name} has no property ${String(name)}`);
    if (i === path.length) return { row, prop, element: undefined };
    if (prop.element === "mixed" && path.length - i > (prop.collection ? 1 : 0)) {
      return { row, prop, element: path[path.length - 1], nested: path.slice(i, -1) };
    }
    let child: Stored;
    if (prop.collection) {
      const element = path[i++] as PathElement;
      if (i === path.length) return { row, prop, element };
      const container = row.values[prop.key] as Stored[] | Record<string, Stored>;
      child = Array.isArray(container) ? container[element as number] : container[element];
    } else child = row.values[prop.key];
    const next = prop.target?.embedded && typeof child === "number" ? db.liveRow(child) : undefined;
    if (!next) throw new ValueMismatch(`no embedded object at ${path.slice(0, i).join(".")}`);
    row = next;
  }
}
