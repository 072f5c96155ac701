/**
 * Encodes instructions in realm-core's binary changeset format. Strings are interned the way a
 * live realm-core client interns them: each one defined just before the instruction that first
 * uses it, so a changeset a client wrote re-encodes to its own bytes.
 */
import { ChangesetFormatError } from "@atoll/protocol";
import { encodeBid, encodeCount, encodeInt, isInt64 } from "./integerCodec.js";
import {
  CollectionTypeNumber,
  INTERN_STRING_TAG,
  InstructionTypeNumber,
  PayloadTypeNumber,
  TableTypeNumber,
  endsInIndex,
  type RealmInstruction,
  type RealmPathElement,
  type RealmPayload,
  type RealmPrimaryKey,
} from "./realmInstructions.js";

const utf8 = new TextEncoder();

export function encodeRealmChangeset(instructions: readonly RealmInstruction[]): Uint8Array {
  const encoder = new ChangesetEncoder();
  for (const instruction of instructions) encoder.encode(instruction);
  return Uint8Array.from(encoder.out);
}

class ChangesetEncoder {
  readonly out: number[] = [];
  private readonly interned = new Map<string, number>();
  /** The instruction being built: intern definitions go to `out` before it. */
  private body: number[] = [];

  encode(instruction: RealmInstruction): void {
    this.body = [];
    this.count(InstructionTypeNumber[instruction.type]);
    switch (instruction.type) {
      case "AddTable":
        this.intern(instruction.table);
        this.count(TableTypeNumber[instruction.tableType]);
        if (instruction.tableType !== "Embedded") {
          this.intern(instruction.pkField);
          this.int(BigInt(PayloadTypeNumber[instruction.pkType]));
          this.count(instruction.pkNullable ? 1 : 0);
        }
        break;
      case "EraseTable":
        this.intern(instruction.table);
        break;
      case "CreateObject":
      case "EraseObject":
        this.intern(instruction.table);
        this.primaryKey(instruction.pk);
        break;
      case "AddColumn":
        this.intern(instruction.table);
        this.intern(instruction.field);
        this.int(BigInt(PayloadTypeNumber[instruction.valueType]));
        this.count(instruction.nullable ? 1 : 0);
        this.count(CollectionTypeNumber[instruction.collectionType]);
        if (instruction.valueType === "Link") {
          this.intern(
            required(instruction.linkTargetTable, "AddColumn of a link needs its target"),
          );
        }
        if (instruction.collectionType === "Dictionary") {
          this.int(BigInt(PayloadTypeNumber[instruction.keyType ?? "String"]));
        }
        break;
      case "EraseColumn":
        this.intern(instruction.table);
        this.intern(instruction.field);
        break;
      case "Update":
        this.pathPrefix(instruction);
        this.payload(instruction.value);
        if (endsInIndex(instruction.path)) {
          this.count(required(instruction.priorSize, "a list element Update needs priorSize"));
        } else {
          this.count(instruction.isDefault === true ? 1 : 0);
        }
        break;
      case "AddInteger":
        this.pathPrefix(instruction);
        this.int(instruction.value);
        break;
      case "ArrayInsert":
        this.pathPrefix(instruction);
        this.payload(instruction.value);
        this.count(instruction.priorSize);
        break;
      case "ArrayMove":
        this.pathPrefix(instruction);
        this.count(instruction.to);
        this.count(instruction.priorSize);
        break;
      case "ArrayErase":
        this.pathPrefix(instruction);
        this.count(instruction.priorSize);
        break;
      case "Clear":
        this.pathPrefix(instruction);
        this.count(CollectionTypeNumber[instruction.collectionType]);
        break;
      case "SetInsert":
      case "SetErase":
        this.pathPrefix(instruction);
        this.payload(instruction.value);
        break;
    }
    for (const byte of this.body) this.out.push(byte);
  }

  private pathPrefix(instruction: {
    table: string;
    pk: RealmPrimaryKey;
    field: string;
    path: readonly RealmPathElement[];
  }): void {
    this.intern(instruction.table);
    this.primaryKey(instruction.pk);
    this.intern(instruction.field);
    this.count(instruction.path.length);
    for (const element of instruction.path) {
      if (typeof element === "number") {
        this.count(element);
      } else {
        this.int(-1n);
        this.intern(element);
      }
    }
  }

  private primaryKey(pk: RealmPrimaryKey): void {
    this.int(BigInt(PayloadTypeNumber[pk.type]));
    switch (pk.type) {
      case "Null":
        return;
      case "Int":
        return this.int(pk.value);
      case "String":
        return this.intern(pk.value);
      case "ObjectId":
        return this.raw(pk.bytes, 12);
      case "UUID":
        return this.raw(pk.bytes, 16);
      case "GlobalKey":
        this.int(pk.hi);
        return this.int(pk.lo);
    }
  }

  private payload(value: RealmPayload): void {
    this.int(BigInt(PayloadTypeNumber[value.type]));
    switch (value.type) {
      case "Int":
        return this.int(value.value);
      case "Bool":
        return this.count(value.value ? 1 : 0);
      case "String":
        return this.string(utf8.encode(value.value), this.body);
      case "Binary":
        return this.string(value.bytes, this.body);
      case "Timestamp":
        this.int(value.seconds);
        return this.int(BigInt(value.nanoseconds));
      case "Float": {
        const bytes = new Uint8Array(4);
        new DataView(bytes.buffer).setFloat32(0, value.value, true);
        return this.raw(bytes, 4);
      }
      case "Double": {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setFloat64(0, value.value, true);
        return this.raw(bytes, 8);
      }
      case "Decimal":
        encodeBid(value.coefficient, this.body);
        this.int(BigInt(value.exponent));
        return this.count(value.sign ? 1 : 0);
      case "Link":
        this.intern(value.table);
        return this.primaryKey(value.pk);
      case "ObjectId":
        return this.raw(value.bytes, 12);
      case "UUID":
        return this.raw(value.bytes, 16);
      case "Null":
      case "ObjectValue":
      case "Dictionary":
      case "Erased":
      case "List":
      case "Set":
        return;
    }
  }

  private intern(text: string): void {
    let index = this.interned.get(text);
    if (index === undefined) {
      index = this.interned.size;
      this.interned.set(text, index);
      encodeCount(INTERN_STRING_TAG, this.out);
      encodeCount(index, this.out);
      this.string(utf8.encode(text), this.out);
    }
    this.count(index);
  }

  private string(bytes: Uint8Array, into: number[]): void {
    encodeCount(bytes.length, into);
    for (const byte of bytes) into.push(byte);
  }

  private raw(bytes: Uint8Array, length: number): void {
    if (bytes.length !== length) {
      throw new ChangesetFormatError(`expected ${length} bytes, got ${bytes.length}`);
    }
    for (const byte of bytes) this.body.push(byte);
  }

  private count(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ChangesetFormatError(`not a count: ${value}`);
    }
    encodeCount(value, this.body);
  }

  private int(value: bigint): void {
    if (!isInt64(value)) throw new ChangesetFormatError(`integer out of int64 range: ${value}`);
    encodeInt(value, this.body);
  }
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new ChangesetFormatError(message);
  return value;
}
