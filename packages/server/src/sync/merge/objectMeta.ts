/**
 * Per-object merge metadata kept beside each synced document: the clock of the last write to
 * each field path (so later concurrent writes are ordered by last-writer-wins), integer
 * additions not yet superseded by a write (so a concurrent older write can fold them in), and
 * when the object was erased (so an erase wins over concurrent writes).
 */
import type { Path } from "@atoll/protocol";
import type { Clock } from "./clock.js";

export interface Addition extends Clock {
  readonly delta: number;
}

export interface ObjectMeta {
  readonly clocks: Readonly<Record<string, Clock>>;
  readonly additions: Readonly<Record<string, readonly Addition[]>>;
  /**
   * The version, ident and timestamp of the object's last erase, kept when it is created
   * again: writes concurrent with the erase lose, whatever came after it, except a later
   * concurrent erase (of two concurrent erases the later wins). No timestamp: an erase made
   * outside sync, which every concurrent write loses to.
   */
  readonly erased?: { readonly version: number; readonly ident: number; readonly ts?: number };
}

export const EMPTY_META: ObjectMeta = { clocks: {}, additions: {} };

/** The key of a field path (property names and dictionary keys; no list indices). */
export function pathKey(path: Path): string {
  return JSON.stringify(path);
}

/** Keys of `path` itself and of every path that contains it (its prefixes). */
export function prefixKeys(path: Path): string[] {
  return path.map((_, i) => pathKey(path.slice(0, i + 1)));
}

/** Whether `key` names `path` or something below it. */
export function isAtOrBelow(key: string, path: Path): boolean {
  const prefix = pathKey(path);
  return key === prefix || key.startsWith(prefix.slice(0, -1) + ",");
}
