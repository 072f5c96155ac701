/**
 * Instruction-set version 2 document → validated instructions (the format is described in
 * `changesetV2Format.ts`). Validation happens while expanding: each group's table and key are
 * checked once, each item by its form and op code, so the result needs no second pass. Any
 * fault throws ChangesetFormatError naming the group and the instruction.
 */
import { COLLECTION_TYPES, LAYOUT_BY_CODE } from "./changesetV2Format.js";
import { isPlainObject } from "./ejson.js";
import {
  ChangesetFormatError,
  checkField,
  isInstructionValue,
  isPrimaryKey,
} from "./instructions.js";
import type { Instruction, PrimaryKey } from "./instructions.js";

export function decodeChangesetV2(document: Record<string, unknown>): Instruction[] {
  const { tables, groups } = document;
  if (!Array.isArray(tables)) throw new ChangesetFormatError("Changeset has no table list");
  for (let t = 0; t < tables.length; t++) {
    const name: unknown = tables[t];
    if (typeof name !== "string" || name.length === 0)
      throw new ChangesetFormatError(`Changeset table ${t} is not a table name`);
  }
  if (!Array.isArray(groups)) throw new ChangesetFormatError("Changeset has no group list");
  const out: Instruction[] = [];
  for (let g = 0; g < groups.length; g++) {
    const group: unknown = groups[g];
    if (!Array.isArray(group) || group.length < 3) {
      throw new ChangesetFormatError(
        `Changeset group ${g} is not [table index, pk, instruction, …]`,
      );
    }
    const tableIndex: unknown = group[0];
    const table = Number.isInteger(tableIndex)
      ? (tables[tableIndex as number] as unknown)
      : undefined;
    if (typeof table !== "string")
      throw new ChangesetFormatError(`Changeset group ${g} has an invalid table index`);
    const pk: unknown = group[1];
    if (!isPrimaryKey(pk))
      throw new ChangesetFormatError(`Changeset group ${g} has an invalid 'pk'`);
    for (let i = 2; i < group.length; i++) decodeItem(group[i], table, pk, out, g);
  }
  return out;
}

function decodeItem(
  item: unknown,
  table: string,
  pk: PrimaryKey,
  out: Instruction[],
  group: number,
): void {
  if (typeof item === "number") {
    if (item === 0) out.push({ type: "CreateObject", table, pk });
    else if (item === 1) out.push({ type: "EraseObject", table, pk });
    else throw fault(group, out.length, `has unknown op code ${item}`);
  } else if (Array.isArray(item)) {
    out.push(decodeArrayItem(item, table, pk, group, out.length));
  } else if (isPlainObject(item)) {
    const fields = Object.keys(item);
    if (fields.length === 0) throw fault(group, out.length, "is an empty field document");
    for (const field of fields) {
      const value = item[field];
      if (!isInstructionValue(value))
        throw fault(group, out.length, "(Update) has an invalid 'value'");
      out.push({ type: "Update", table, pk, path: [field], value });
    }
  } else {
    throw fault(group, out.length, "is neither an op code, a field document nor an array");
  }
}

function decodeArrayItem(
  item: readonly unknown[],
  table: string,
  pk: PrimaryKey,
  group: number,
  index: number,
): Instruction {
  const code: unknown = item[0];
  const layout = typeof code === "number" && code >= 2 ? LAYOUT_BY_CODE[code] : undefined;
  if (layout === undefined) throw fault(group, index, `has unknown op code ${String(code)}`);
  const { type, operands, required } = layout;
  if (item.length - 1 > operands.length || item.length - 1 < required) {
    throw fault(group, index, `(${type}) has ${item.length - 1} operands`);
  }
  const instruction: Record<string, unknown> = { type, table, pk };
  for (let k = 0; k < operands.length; k++) {
    const { name, kind } = operands[k]!;
    let operand: unknown = item[k + 1];
    if (k >= required && (operand === null || operand === undefined)) continue;
    if (name === "path" && typeof operand === "string") operand = [operand];
    else if (name === "collectionType")
      operand = Number.isInteger(operand) ? COLLECTION_TYPES[operand as number] : undefined;
    if (!checkField(kind, operand)) throw fault(group, index, `(${type}) has an invalid '${name}'`);
    instruction[name] = operand;
  }
  return instruction as unknown as Instruction;
}

function fault(group: number, index: number, what: string): ChangesetFormatError {
  return new ChangesetFormatError(`Changeset group ${group}, instruction ${index} ${what}`);
}
