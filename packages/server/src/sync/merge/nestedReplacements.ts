/**
 * Changes inside lists and dictionaries held by mixed values, against what was written
 * concurrently: a writer that set a mixed value (or a value holding it) to a new collection
 * replaced the collection the change was made to, so the change is lost with it, whatever its
 * timestamp; a change whose path leads nowhere any more (a concurrent write put a scalar, or a
 * collection of the other kind, on the way) is lost too. A change of the uploader's own, made
 * after its own replacement, stands: it is inside the collection that won.
 */
import { nestedCollectionOf, type Instruction, type Path, type PrimaryKey } from "@atoll/protocol";
import type { Document } from "../../data/types.js";
import { isConcurrent, type Writer } from "./clock.js";
import type { MetaDraft } from "./MetaDraft.js";
import { pathKey } from "./objectMeta.js";

function keyOf(table: string, pk: PrimaryKey): string {
  return JSON.stringify([table, String(pk)]);
}

function isStrictPrefix(prefix: Path, path: Path): boolean {
  return prefix.length < path.length && prefix.every((element, i) => element === path[i]);
}

/** A dictionary or embedded object as stored: a plain document (not a Date, ObjectId, …). */
function isDocument(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

/** Whether the container `instruction` changes an element of exists, of the kind it needs. */
function resolves(doc: Document, instruction: Instruction & { path: Path }): boolean {
  const { path } = instruction;
  if (path.length < 2) return true;
  let parent: unknown = doc;
  for (const element of path.slice(0, -1)) {
    if (!Array.isArray(parent) && !isDocument(parent)) return false;
    parent = (parent as Record<string | number, unknown>)[element];
  }
  // A property's own list or dictionary may not exist yet: its first element creates it
  // (a list also when null), as the document patch does.
  if (path.length === 2 && parent === undefined) return true;
  if (path.length === 2 && parent === null) return instruction.type === "ArrayInsert";
  return typeof path[path.length - 1] === "number" ? Array.isArray(parent) : isDocument(parent);
}

/** Built on first use: most uploads change no path below a property. */
export class NestedReplacements {
  /** Per object, the paths set to a new collection concurrently. */
  private replaced: Map<string, Path[]> | undefined;
  /** Per object, the properties written concurrently. */
  private readonly touched = new Map<string, Set<string | number>>();

  constructor(private readonly concurrent: readonly Instruction[]) {}

  private index(): Map<string, Path[]> {
    if (this.replaced) return this.replaced;
    const replaced = new Map<string, Path[]>();
    for (const instruction of this.concurrent) {
      if (!("path" in instruction)) continue;
      const key = keyOf(instruction.table, instruction.pk);
      let properties = this.touched.get(key);
      if (!properties) this.touched.set(key, (properties = new Set()));
      properties.add(instruction.path[0]!);
      if (instruction.type !== "Update" || nestedCollectionOf(instruction.value) === undefined)
        continue;
      const paths = replaced.get(key);
      if (paths) paths.push(instruction.path);
      else replaced.set(key, [instruction.path]);
    }
    this.replaced = replaced;
    return replaced;
  }

  /** Why `instruction` (a path below a property) is lost to a concurrent write, or undefined when it stands. */
  lost(
    instruction: Instruction & { path: Path },
    doc: Document,
    meta: MetaDraft,
    writer: Writer,
  ): string | undefined {
    const key = keyOf(instruction.table, instruction.pk);
    const { path } = instruction;
    for (const replaced of this.index().get(key) ?? []) {
      if (!isStrictPrefix(replaced, path)) continue;
      if (meta.clock(pathKey(replaced))?.ident === writer.ident) continue;
      return "the collection it changes was replaced concurrently";
    }
    if (resolves(doc, instruction)) return undefined;
    // Cut off by a concurrent write on the way: one in the concurrent history read for this
    // upload, or one whose clock the object keeps (history is read only for some uploads).
    const cutOff =
      this.touched.get(key)?.has(path[0]!) === true ||
      meta
        .clocksAbove(path.slice(0, -1))
        .some((clock) => isConcurrent(writer, clock.version, clock.ident));
    return cutOff ? "a concurrent write replaced a value on its path" : undefined;
  }
}
