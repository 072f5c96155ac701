/**
 * Instructions → instruction-set version 2 bytes (the format is described in
 * `changesetV2Format.ts`). Undefined optional fields are simply not written. The encoder trusts
 * its input's types (they come from this process) and checks only what would otherwise turn a
 * broken instruction into a different, valid one on the other side: a missing required field
 * (BSON would write `undefined` as null) or an unknown type.
 */
import { BSON, Long, ObjectId, UUID } from "bson";
import { COLLECTION_TYPES, LAYOUT_BY_TYPE, fitsFieldDocument } from "./changesetV2Format.js";
import { ChangesetFormatError } from "./instructions.js";
import type { Instruction, InstructionValue, PrimaryKey } from "./instructions.js";

/** Equal keys encode to the same bytes, so instructions on them may share one group. */
function samePrimaryKey(a: PrimaryKey, b: PrimaryKey): boolean {
  if (a === b) return true;
  if (a instanceof Long) return b instanceof Long && a.high === b.high && a.low === b.low;
  if (a instanceof ObjectId) return b instanceof ObjectId && a.equals(b);
  if (a instanceof UUID) return b instanceof UUID && a.equals(b);
  return false;
}

type Item = number | unknown[] | Record<string, InstructionValue>;
/** `[tableIndex, pk, item, …]` */
type Group = unknown[];

export function encodeChangesetV2(
  instructions: readonly Instruction[],
  version: number,
): Uint8Array {
  const tables: string[] = [];
  const tableIndex = new Map<string, number>();
  const groups: Group[] = [];
  let group: Group | undefined;
  let run: Record<string, InstructionValue> | undefined;
  let table = "";
  let pk: PrimaryKey = null;
  for (let index = 0; index < instructions.length; index++) {
    const instruction = instructions[index]!;
    if (group === undefined || instruction.table !== table || !samePrimaryKey(instruction.pk, pk)) {
      table = instruction.table;
      pk = instruction.pk;
      if (pk === undefined) throw missing(index, instruction, "pk");
      let tableAt = tableIndex.get(table);
      if (tableAt === undefined) {
        tableAt = tables.push(table) - 1;
        tableIndex.set(table, tableAt);
      }
      group = [tableAt, pk];
      groups.push(group);
      run = undefined;
    }
    if (instruction.type === "Update" && isPlainFieldUpdate(instruction)) {
      const field = instruction.path[0] as string;
      if (run === undefined || Object.hasOwn(run, field)) {
        run = {};
        group.push(run);
      }
      run[field] = instruction.value;
    } else {
      run = undefined;
      group.push(encodeItem(instruction, index));
    }
  }
  return BSON.serialize({ version, tables, groups });
}

function isPlainFieldUpdate(update: Extract<Instruction, { type: "Update" }>): boolean {
  const { path } = update;
  return (
    path.length === 1 &&
    typeof path[0] === "string" &&
    update.isDefault === undefined &&
    update.priorSize === undefined &&
    update.value !== undefined &&
    fitsFieldDocument(path[0])
  );
}

/** The bare op code or the array form `[opCode, …operands]`. */
function encodeItem(instruction: Instruction, index: number): Item {
  const layout = Object.hasOwn(LAYOUT_BY_TYPE, instruction.type)
    ? LAYOUT_BY_TYPE[instruction.type]
    : undefined;
  if (layout === undefined) {
    throw new ChangesetFormatError(
      `Instruction ${index} has unknown type ${JSON.stringify(instruction.type)}`,
    );
  }
  if (layout.operands.length === 0) return layout.code;
  const fields = instruction as unknown as Record<string, unknown>;
  const item: unknown[] = [layout.code];
  for (let k = 0; k < layout.operands.length; k++) {
    const { name } = layout.operands[k]!;
    let operand = fields[name];
    if (operand === undefined) {
      if (k < layout.required) throw missing(index, instruction, name);
      operand = null;
    } else if (name === "path") {
      const path = operand as readonly unknown[];
      if (path.length === 1 && typeof path[0] === "string") operand = path[0];
    } else if (name === "collectionType") {
      operand = COLLECTION_TYPES.indexOf(operand as (typeof COLLECTION_TYPES)[number]);
    }
    item.push(operand);
  }
  while (item.length > layout.required + 1 && item[item.length - 1] === null) item.pop();
  return item;
}

function missing(index: number, instruction: Instruction, field: string): ChangesetFormatError {
  return new ChangesetFormatError(
    `Instruction ${index} (${instruction.type}) has no '${field}' to encode`,
  );
}
