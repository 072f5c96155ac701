/**
 * Live lists and dictionaries nested in mixed values: `item.data` when `data` holds a list or
 * a dictionary, and every collection reached from there (`item.data.tags[0]`). Each is
 * addressed by its property and the path below it, so it stays live across writes and becomes
 * invalid once that path holds something else.
 */
import type { RealmContext } from "../core/RealmContext.js";
import type { ObjectRow, PropInfo, Stored } from "../schema/ClassInfo.js";
import { isStoredDictionary, isStoredList } from "../values/nested.js";
import type { NestedPath } from "../values/nested.js";
import { Dictionary, createDictionary } from "./Dictionary.js";
import { List } from "./List.js";
import { readElement } from "./elements.js";

/** What user code sees for a mixed value stored at `path`: a live collection or the value. */
export function readMixed(
  context: RealmContext,
  row: ObjectRow,
  prop: PropInfo,
  path: NestedPath,
  stored: Stored,
): unknown {
  if (isStoredList(stored)) return new MixedList(context, row, prop, path);
  if (isStoredDictionary(stored)) {
    return createDictionary(context, row, prop, new MixedDictionary(context, row, prop, path));
  }
  return readElement(context, prop, stored);
}

/** A list of mixed values, whose lists and dictionaries read as live collections. */
export class MixedList<T = unknown> extends List<T> {
  override get type(): string {
    return "mixed";
  }

  protected override read(stored: Stored, index: number): unknown {
    return readMixed(this.context, this.row, this.prop, [...this.path, index], stored);
  }
}

/** A dictionary of mixed values, whose lists and dictionaries read as live collections. */
class MixedDictionary<T = unknown> extends Dictionary<T> {
  protected override readEntry(stored: Stored, key: string): unknown {
    return readMixed(this.context, this.row, this.prop, [...this.path, key], stored);
  }
}
