/**
 * Instruction-set version 2 document → validated instructions (the format is described in
 * `changesetV2Format.ts`). Validation happens while expanding: each name once, each selected
 * object's table and key once, each operand by its op code, so the result needs no second pass.
 * Any fault throws ChangesetFormatError naming the instruction and the field.
 */
import { Binary } from "bson";
import { COLLECTION_TYPES, Op, UpdateFlag } from "./changesetV2Format.js";
import { ChangesetFormatError, isInstructionValue, isLong, isPrimaryKey } from "./instructions.js";
import type { Instruction, InstructionValue, PathElement, PrimaryKey } from "./instructions.js";
import { MAX_VARINT, VarintReader } from "./varintBytes.js";

/** The op codes' instruction types, for error messages. */
const TYPE_NAMES = Object.keys(Op);

class ChangesetReader {
  private nextValue = 0;
  /** The instruction being read (its index in the result) and its op code. */
  index = 0;
  op = -1;

  constructor(
    readonly ops: VarintReader,
    readonly names: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  fault(what: string): ChangesetFormatError {
    const type = TYPE_NAMES[this.op] ?? "?";
    return new ChangesetFormatError(`Changeset instruction ${this.index} (${type}) ${what}`);
  }

  /** A varint up to 2^53 (a path element, a name index, an op code…). */
  varint(field: string): number {
    const value = this.ops.read();
    if (value < 0) throw this.fault(`has an invalid '${field}'`);
    return value;
  }

  /** A list index or size: a safe integer. */
  count(field: string): number {
    const value = this.varint(field);
    if (value === MAX_VARINT) throw this.fault(`has an invalid '${field}'`);
    return value;
  }

  name(field: string): string {
    const name = this.names[this.varint(field)];
    if (name === undefined) throw this.fault(`has an invalid '${field}'`);
    return name;
  }

  path(): PathElement[] {
    const length = this.varint("path");
    if (length === 0) throw this.fault("has an invalid 'path'");
    const path: PathElement[] = [this.name("path")];
    for (let i = 1; i < length; i++) {
      const element = this.varint("path");
      path.push(element === 0 ? this.name("path") : element - 1);
    }
    return path;
  }

  value(): InstructionValue {
    const value = this.take("value");
    if (!isInstructionValue(value)) throw this.fault("has an invalid 'value'");
    return value;
  }

  /** A value slot: `0` for the next value in `values`, `n + 1` for the string `names[n]`. */
  take(field: string): unknown {
    const source = this.varint(field);
    if (source !== 0) {
      const name = this.names[source - 1];
      if (name === undefined) throw this.fault(`has an invalid '${field}'`);
      return name;
    }
    if (this.nextValue >= this.values.length) throw this.fault(`has no '${field}'`);
    return this.values[this.nextValue++];
  }

  get valuesLeft(): number {
    return this.values.length - this.nextValue;
  }
}

export function decodeChangesetV2(document: Record<string, unknown>): Instruction[] {
  const { names, ops, values } = document;
  if (!Array.isArray(names)) throw new ChangesetFormatError("Changeset has no name list");
  for (let n = 0; n < names.length; n++) {
    if (typeof names[n] !== "string")
      throw new ChangesetFormatError(`Changeset name ${n} is not a string`);
  }
  if (!(ops instanceof Binary) || ops.sub_type !== Binary.SUBTYPE_DEFAULT)
    throw new ChangesetFormatError("Changeset has no op bytes");
  if (!Array.isArray(values)) throw new ChangesetFormatError("Changeset has no value list");
  const reader = new ChangesetReader(
    new VarintReader(ops.buffer.subarray(0, ops.position)),
    names as string[],
    values,
  );
  const out: Instruction[] = [];
  let table: string | undefined;
  let pk: PrimaryKey = null;
  while (!reader.ops.done) {
    reader.index = out.length;
    reader.op = -1;
    const op = (reader.op = reader.varint("op code"));
    if (op === Op.SelectObject) {
      table = reader.name("table");
      if (table === "") throw reader.fault("has an invalid 'table'");
      const key = reader.take("pk");
      if (!isPrimaryKey(key)) throw reader.fault("has an invalid 'pk'");
      pk = key;
      continue;
    }
    if (table === undefined) {
      throw new ChangesetFormatError(`Changeset instruction ${out.length} names no object`);
    }
    out.push(readInstruction(reader, op, table, pk));
  }
  if (reader.valuesLeft !== 0) {
    throw new ChangesetFormatError(`Changeset has ${reader.valuesLeft} values no instruction uses`);
  }
  return out;
}

function readInstruction(
  reader: ChangesetReader,
  op: number,
  table: string,
  pk: PrimaryKey,
): Instruction {
  switch (op) {
    case Op.CreateObject:
      return { type: "CreateObject", table, pk };
    case Op.EraseObject:
      return { type: "EraseObject", table, pk };
    case Op.Update: {
      const path = reader.path();
      if (path.length !== 1) throw reader.fault("has an invalid 'path'");
      return { type: "Update", table, pk, path, value: reader.value() };
    }
    case Op.UpdateWithOptions:
      return readUpdateWithOptions(reader, table, pk);
    case Op.AddInteger: {
      const path = reader.path();
      const value = reader.take("value");
      if (!isLong(value)) throw reader.fault("has an invalid 'value'");
      return { type: "AddInteger", table, pk, path, value };
    }
    case Op.ArrayInsert: {
      const path = reader.path();
      const priorSize = reader.count("priorSize");
      return { type: "ArrayInsert", table, pk, path, value: reader.value(), priorSize };
    }
    case Op.ArrayMove: {
      const path = reader.path();
      const to = reader.count("to");
      return { type: "ArrayMove", table, pk, path, to, priorSize: reader.count("priorSize") };
    }
    case Op.ArrayErase: {
      const path = reader.path();
      return { type: "ArrayErase", table, pk, path, priorSize: reader.count("priorSize") };
    }
    case Op.Clear: {
      const path = reader.path();
      const collectionType = COLLECTION_TYPES[reader.varint("collectionType")];
      if (collectionType === undefined) throw reader.fault("has an invalid 'collectionType'");
      return { type: "Clear", table, pk, path, collectionType };
    }
    case Op.SetInsert:
      return { type: "SetInsert", table, pk, path: reader.path(), value: reader.value() };
    case Op.SetErase:
      return { type: "SetErase", table, pk, path: reader.path(), value: reader.value() };
    case Op.Erase:
      return { type: "Erase", table, pk, path: reader.path() };
    default:
      throw reader.fault(`has unknown op code ${op}`);
  }
}

function readUpdateWithOptions(
  reader: ChangesetReader,
  table: string,
  pk: PrimaryKey,
): Instruction {
  const path = reader.path();
  const flags = reader.varint("flags");
  if (flags > 7 || (flags & UpdateFlag.IsDefault && !(flags & UpdateFlag.HasIsDefault)))
    throw reader.fault("has invalid flags");
  const priorSize = flags & UpdateFlag.HasPriorSize ? reader.count("priorSize") : undefined;
  const value = reader.value();
  return {
    type: "Update",
    table,
    pk,
    path,
    value,
    ...(flags & UpdateFlag.HasIsDefault ? { isDefault: (flags & UpdateFlag.IsDefault) !== 0 } : {}),
    ...(priorSize === undefined ? {} : { priorSize }),
  };
}
