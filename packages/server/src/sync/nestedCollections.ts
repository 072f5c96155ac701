/**
 * Lists and dictionaries inside mixed values, for peers that cannot hold them: clients on
 * atoll-sync 1 or 2 and realm-core clients before protocol 13. Such a client receives null
 * where a mixed value is a list or dictionary, and nothing of the changes inside one, so what
 * it holds stays decodable (its copy of such a value is null until something else replaces it).
 */
import {
  decodeChangeset,
  encodeChangeset,
  nestedCollectionOf,
  type Instruction,
  type Path,
} from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";

/** Whether `path` on an object of `table` goes below a mixed value (into a nested collection). */
export function isInsideMixed(schema: RqlSchema, table: string, path: Path): boolean {
  let cls = schema[table];
  let i = 0;
  while (cls !== undefined && i < path.length) {
    const name = path[i++];
    const property = typeof name === "string" ? cls.properties[name] : undefined;
    if (property === undefined) return false;
    if (property.collection !== undefined) i++; // the element of the property's own collection
    if (i >= path.length) return false;
    if (property.type === "mixed") return true;
    cls = property.type === "object" ? schema[property.objectType ?? ""] : undefined;
    if (cls?.embedded !== true) return false;
  }
  return false;
}

/** The instructions without nested collections: new ones become null, changes inside dropped. */
export function withoutNestedCollections(
  schema: RqlSchema,
  instructions: readonly Instruction[],
): Instruction[] {
  const out: Instruction[] = [];
  for (const instruction of instructions) {
    if (!("path" in instruction)) out.push(instruction);
    else if (isInsideMixed(schema, instruction.table, instruction.path)) continue;
    else if ("value" in instruction && nestedCollectionOf(instruction.value) !== undefined)
      out.push({ ...instruction, value: null } as Instruction);
    else out.push(instruction);
  }
  return out;
}

/** The changeset's bytes for such a peer: the same bytes when nothing in it is nested. */
export function changesetWithoutNestedCollections(
  schema: RqlSchema,
  changeset: Uint8Array,
): Uint8Array {
  const instructions = decodeChangeset(changeset);
  const kept = withoutNestedCollections(schema, instructions);
  const same = kept.length === instructions.length && kept.every((k, i) => k === instructions[i]);
  return same ? changeset : encodeChangeset(kept);
}
