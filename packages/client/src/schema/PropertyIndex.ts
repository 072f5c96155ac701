/**
 * A secondary index on one `indexed: true` property: stored value -> the objects holding it.
 * Kept in step by Database (adds, removals, value changes) and rebuilt after migrations.
 */
import { pkIndexKey } from "../values/indexKey.js";
import type { IndexedType } from "./types.js";

interface IndexedRow {
  readonly key: number;
  readonly values: Record<string, unknown>;
}

const INDEXABLE = new Set(["bool", "int", "string", "objectId", "uuid"]);

export function isIndexed(prop: {
  readonly schema: { readonly indexed: IndexedType };
  readonly collection: string | undefined;
  readonly element: string;
}): boolean {
  return (
    prop.schema.indexed === true && prop.collection === undefined && INDEXABLE.has(prop.element)
  );
}

export class PropertyIndex<R extends IndexedRow> {
  private readonly entries = new Map<unknown, Set<R>>();

  constructor(readonly propKey: string) {}

  add(row: R): void {
    const key = pkIndexKey(row.values[this.propKey]);
    let set = this.entries.get(key);
    if (!set) this.entries.set(key, (set = new Set()));
    set.add(row);
  }

  remove(row: R): void {
    const key = pkIndexKey(row.values[this.propKey]);
    const set = this.entries.get(key);
    if (!set) return;
    set.delete(row);
    if (set.size === 0) this.entries.delete(key);
  }

  /** The rows holding `value`, in key order (the order of unsorted Results). */
  lookup(value: unknown): R[] {
    const set = this.entries.get(pkIndexKey(value));
    return set ? [...set].sort((a, b) => a.key - b.key) : [];
  }

  clear(): void {
    this.entries.clear();
  }
}
