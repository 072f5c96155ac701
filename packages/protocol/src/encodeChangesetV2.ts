/**
 * Instructions → instruction-set version 2 bytes (the format is described in
 * `changesetV2Format.ts`). Undefined optional fields are simply not written. The encoder trusts
 * its input's types (they come from this process) and refuses only what it could not write or
 * would turn into a different, valid instruction: an unknown type, a missing required field, a
 * path or size that is not one.
 */
import { Binary, BSON, Long, ObjectId, UUID } from "bson";
import { COLLECTION_TYPES, Op, UpdateFlag } from "./changesetV2Format.js";
import { ChangesetFormatError, isCount } from "./instructions.js";
import type { Instruction, Path, PrimaryKey } from "./instructions.js";
import { VarintWriter } from "./varintBytes.js";

/** Equal keys encode to the same bytes, so instructions on them may share one selection. */
function samePrimaryKey(a: PrimaryKey, b: PrimaryKey): boolean {
  if (a === b) return true;
  if (a instanceof Long) return b instanceof Long && a.high === b.high && a.low === b.low;
  if (a instanceof ObjectId) return b instanceof ObjectId && a.equals(b);
  if (a instanceof UUID) return b instanceof UUID && a.equals(b);
  return false;
}

/** The longest string value written to `names` (longer ones go to `values`). */
const MAX_NAMED_STRING = 128;

/** Reused by every encode (synchronous, so never by two at once): BSON copies its bytes. */
const sharedOps = new VarintWriter();

class ChangesetWriter {
  readonly names: string[] = [];
  readonly values: unknown[] = [];
  readonly ops = sharedOps.reset();
  private readonly nameIndex = new Map<string, number>();
  /** The instruction being written, for error messages. */
  index = 0;
  instruction: Instruction | undefined;

  name(name: string): number {
    let at = this.nameIndex.get(name);
    if (at === undefined) {
      at = this.names.push(name) - 1;
      this.nameIndex.set(name, at);
    }
    return at;
  }

  count(value: number | undefined, field: string): void {
    if (!isCount(value)) throw this.fault(`an invalid '${field}'`);
    this.ops.write(value);
  }

  /**
   * A value slot: a short string as `n + 1` for `names[n]`, anything else `0` and the next
   * value. Long strings are rarely repeated, and hashing them to find repeats costs time.
   */
  value(value: unknown, field = "value"): void {
    if (typeof value === "string" && value.length <= MAX_NAMED_STRING) {
      this.ops.write(this.name(value) + 1);
      return;
    }
    if (value === undefined) throw this.fault(`no '${field}'`);
    this.ops.write(0);
    this.values.push(value);
  }

  path(path: Path | undefined): void {
    const first = path?.[0];
    if (typeof first !== "string") throw this.fault("an invalid 'path'");
    const { ops } = this;
    ops.write(path!.length);
    ops.write(this.name(first));
    for (let i = 1; i < path!.length; i++) {
      const element = path![i];
      if (isCount(element)) {
        ops.write(element + 1);
      } else if (typeof element === "string") {
        ops.write(0);
        ops.write(this.name(element));
      } else throw this.fault("an invalid 'path'");
    }
  }

  fault(what: string): ChangesetFormatError {
    const type = JSON.stringify(this.instruction?.type);
    return new ChangesetFormatError(`Instruction ${this.index} (${type}) has ${what} to encode`);
  }
}

export function encodeChangesetV2(
  instructions: readonly Instruction[],
  version: number,
): Uint8Array {
  const writer = new ChangesetWriter();
  const { ops } = writer;
  let table: string | undefined;
  let pk: PrimaryKey = null;
  for (let index = 0; index < instructions.length; index++) {
    const instruction = instructions[index]!;
    writer.index = index;
    writer.instruction = instruction;
    if (instruction.table !== table || !samePrimaryKey(instruction.pk, pk)) {
      table = instruction.table;
      pk = instruction.pk;
      if (typeof table !== "string" || table.length === 0) throw writer.fault("an invalid 'table'");
      ops.write(Op.SelectObject);
      ops.write(writer.name(table));
      writer.value(pk, "pk");
    }
    writeInstruction(writer, instruction);
  }
  return BSON.serialize({
    version,
    names: writer.names,
    ops: new Binary(ops.written()),
    values: writer.values,
  });
}

function writeInstruction(writer: ChangesetWriter, instruction: Instruction): void {
  const { ops } = writer;
  switch (instruction.type) {
    case "CreateObject":
      return ops.write(Op.CreateObject);
    case "EraseObject":
      return ops.write(Op.EraseObject);
    case "Update": {
      const { path, isDefault, priorSize } = instruction;
      if (isDefault !== undefined && typeof isDefault !== "boolean")
        throw writer.fault("an invalid 'isDefault'");
      if (isDefault === undefined && priorSize === undefined && path.length === 1) {
        ops.write(Op.Update);
        writer.path(path);
      } else {
        ops.write(Op.UpdateWithOptions);
        writer.path(path);
        ops.write(
          (isDefault === undefined ? 0 : UpdateFlag.HasIsDefault) |
            (isDefault === true ? UpdateFlag.IsDefault : 0) |
            (priorSize === undefined ? 0 : UpdateFlag.HasPriorSize),
        );
        if (priorSize !== undefined) writer.count(priorSize, "priorSize");
      }
      return writer.value(instruction.value);
    }
    case "AddInteger":
      ops.write(Op.AddInteger);
      writer.path(instruction.path);
      return writer.value(instruction.value);
    case "ArrayInsert":
      ops.write(Op.ArrayInsert);
      writer.path(instruction.path);
      writer.count(instruction.priorSize, "priorSize");
      return writer.value(instruction.value);
    case "ArrayMove":
      ops.write(Op.ArrayMove);
      writer.path(instruction.path);
      writer.count(instruction.to, "to");
      return writer.count(instruction.priorSize, "priorSize");
    case "ArrayErase":
      ops.write(Op.ArrayErase);
      writer.path(instruction.path);
      return writer.count(instruction.priorSize, "priorSize");
    case "Clear": {
      ops.write(Op.Clear);
      writer.path(instruction.path);
      const collection = COLLECTION_TYPES.indexOf(instruction.collectionType);
      if (collection < 0) throw writer.fault("an invalid 'collectionType'");
      return ops.write(collection);
    }
    case "SetInsert":
    case "SetErase":
      ops.write(instruction.type === "SetInsert" ? Op.SetInsert : Op.SetErase);
      writer.path(instruction.path);
      return writer.value(instruction.value);
    case "Erase":
      ops.write(Op.Erase);
      return writer.path(instruction.path);
    default:
      throw writer.fault("an unknown type");
  }
}
