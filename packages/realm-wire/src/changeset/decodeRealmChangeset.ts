/**
 * Decodes realm-core's binary changeset format from untrusted bytes. Every fault is a
 * ChangesetFormatError naming the byte offset; nothing is allocated before its declared size
 * has been checked against the bytes actually present, and no path is followed recursively,
 * so time and memory stay proportional to the input.
 */
import { ChangesetFormatError } from "@atoll/protocol";
import { decodeBid, decodeInt } from "./integerCodec.js";
import {
  CollectionTypeNumber,
  INTERN_STRING_TAG,
  InstructionTypeNumber,
  PayloadTypeNumber,
  TableTypeNumber,
  endsInIndex,
  isPrimaryKeyType,
  type PayloadType,
  type RealmCollectionType,
  type RealmInstruction,
  type RealmPathElement,
  type RealmPayload,
  type RealmPrimaryKey,
  type RealmUpdate,
  type TableType,
} from "./realmInstructions.js";

/** realm-core's largest string (Table::max_string_size) and binary. */
export const MAX_REALM_STRING_BYTES = 0xfffff8 - 8 - 1;
export const MAX_REALM_BINARY_BYTES = 0xfffff8 - 8;
const UINT32_MAX = 2 ** 32 - 1;

const utf8 = new TextDecoder("utf-8", { fatal: true });

const byNumber = <K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> =>
  new Map(Object.entries(table).map(([name, number]) => [number as number, name as K]));
const PAYLOAD_TYPES = byNumber(PayloadTypeNumber);
const INSTRUCTION_TYPES = byNumber(InstructionTypeNumber);
const TABLE_TYPES = byNumber<TableType>(TableTypeNumber);
const COLLECTION_TYPES = byNumber<RealmCollectionType>(CollectionTypeNumber);

export function decodeRealmChangeset(bytes: Uint8Array): RealmInstruction[] {
  return new ChangesetDecoder(bytes).decodeAll();
}

/**
 * The strings a changeset interns, in order. A live client sometimes interns a string no
 * instruction uses (an embedded table's name, an empty string), so its bytes are not canonical:
 * re-encoding drops those definitions.
 */
export function internedStrings(bytes: Uint8Array): string[] {
  const decoder = new ChangesetDecoder(bytes);
  decoder.decodeAll();
  return decoder.strings();
}

class ChangesetDecoder {
  private position = 0;
  private readonly interned: string[] = [];
  private readonly internedSet = new Set<string>();

  constructor(private readonly bytes: Uint8Array) {}

  strings(): string[] {
    return [...this.interned];
  }

  decodeAll(): RealmInstruction[] {
    const instructions: RealmInstruction[] = [];
    while (this.position < this.bytes.length) {
      const instruction = this.decodeOne();
      if (instruction !== undefined) instructions.push(instruction);
    }
    return instructions;
  }

  private decodeOne(): RealmInstruction | undefined {
    const at = this.position;
    const tag = this.readUnsigned(Number.MAX_SAFE_INTEGER, "instruction type");
    if (tag === INTERN_STRING_TAG) {
      this.readInternDefinition();
      return undefined;
    }
    const type = INSTRUCTION_TYPES.get(tag);
    if (type === undefined) this.fail(`unknown instruction type ${tag}`, at);
    switch (type) {
      case "AddTable":
        return this.readAddTable();
      case "EraseTable":
        return { type, table: this.readInterned() };
      case "CreateObject":
      case "EraseObject":
        return { type, table: this.readInterned(), pk: this.readPrimaryKey() };
      case "Update":
        return this.readUpdate();
      case "AddInteger":
        return { type, ...this.readPathPrefix(), value: this.readInt("integer") };
      case "AddColumn":
        return this.readAddColumn();
      case "EraseColumn":
        return { type, table: this.readInterned(), field: this.readInterned() };
      case "ArrayInsert": {
        const prefix = this.readIndexedPathPrefix(type);
        return { type, ...prefix, value: this.readPayload(), priorSize: this.readU32("size") };
      }
      case "ArrayMove": {
        const prefix = this.readIndexedPathPrefix(type);
        return { type, ...prefix, to: this.readU32("index"), priorSize: this.readU32("size") };
      }
      case "ArrayErase":
        return { type, ...this.readIndexedPathPrefix(type), priorSize: this.readU32("size") };
      case "Clear":
        return { type, ...this.readPathPrefix(), collectionType: this.readCollectionType() };
      case "SetInsert":
      case "SetErase":
        return { type, ...this.readPathPrefix(), value: this.readPayload() };
    }
  }

  private readInternDefinition(): void {
    const at = this.position;
    const index = this.readU32("intern index");
    if (index !== this.interned.length) this.fail(`unexpected intern index ${index}`, at);
    const text = this.readString();
    if (this.internedSet.has(text)) this.fail(`string interned twice`, at);
    this.interned.push(text);
    this.internedSet.add(text);
  }

  private readAddTable(): RealmInstruction {
    const table = this.readInterned();
    const at = this.position;
    const tableType = TABLE_TYPES.get(this.readUnsigned(255, "table type"));
    if (tableType === undefined) this.fail("unknown table type", at);
    if (tableType === "Embedded") return { type: "AddTable", table, tableType };
    const pkField = this.readInterned();
    const pkAt = this.position;
    const pkType = this.readPayloadType();
    if (!isPrimaryKeyType(pkType)) this.fail(`invalid primary key type ${pkType}`, pkAt);
    return { type: "AddTable", table, tableType, pkField, pkType, pkNullable: this.readBool() };
  }

  private readAddColumn(): RealmInstruction {
    const table = this.readInterned();
    const field = this.readInterned();
    const valueType = this.readPayloadType();
    const nullable = this.readBool();
    const collectionType = this.readCollectionType();
    const linkTargetTable = valueType === "Link" ? this.readInterned() : undefined;
    const keyType = collectionType === "Dictionary" ? this.readPayloadType() : undefined;
    return {
      type: "AddColumn",
      table,
      field,
      valueType,
      nullable,
      collectionType,
      ...(linkTargetTable === undefined ? {} : { linkTargetTable }),
      ...(keyType === undefined ? {} : { keyType }),
    };
  }

  private readUpdate(): RealmUpdate {
    const prefix = this.readPathPrefix();
    const value = this.readPayload();
    if (endsInIndex(prefix.path)) {
      return { type: "Update", ...prefix, value, priorSize: this.readU32("size") };
    }
    return { type: "Update", ...prefix, value, isDefault: this.readBool() };
  }

  private readIndexedPathPrefix(type: string) {
    const at = this.position;
    const prefix = this.readPathPrefix();
    if (!endsInIndex(prefix.path)) this.fail(`${type} without an index`, at);
    return prefix;
  }

  private readPathPrefix() {
    const table = this.readInterned();
    const pk = this.readPrimaryKey();
    const field = this.readInterned();
    const path = this.readPath();
    return { table, pk, field, path };
  }

  private readPath(): RealmPathElement[] {
    const length = this.readU32("path length");
    const path: RealmPathElement[] = [];
    for (let i = 0; i < length; i++) {
      const at = this.position;
      const element = this.readInt("path element");
      if (element >= 0n) {
        if (element > BigInt(UINT32_MAX)) this.fail("path index out of range", at);
        path.push(Number(element));
      } else {
        path.push(this.readInterned());
      }
    }
    return path;
  }

  private readPrimaryKey(): RealmPrimaryKey {
    const at = this.position;
    const type = this.readPayloadType();
    switch (type) {
      case "Null":
        return { type };
      case "Int":
        return { type, value: this.readInt("primary key") };
      case "String":
        return { type, value: this.readInterned() };
      case "ObjectId":
        return { type, bytes: this.readBytes(12) };
      case "UUID":
        return { type, bytes: this.readBytes(16) };
      case "GlobalKey":
        return { type, hi: this.readU64("global key"), lo: this.readU64("global key") };
      default:
        return this.fail(`unsupported primary key type ${type}`, at);
    }
  }

  private readPayload(): RealmPayload {
    const at = this.position;
    const type = this.readPayloadType();
    switch (type) {
      case "GlobalKey":
        return this.fail("a GlobalKey is not a value", at);
      case "Int":
        return { type, value: this.readInt("integer") };
      case "Bool":
        return { type, value: this.readBool() };
      case "String":
        return { type, value: this.readString() };
      case "Binary":
        return { type, bytes: this.readBinary() };
      case "Timestamp": {
        const seconds = this.readInt("timestamp");
        const nanosAt = this.position;
        const nanoseconds = this.readInt("timestamp");
        if (nanoseconds > 2n ** 31n - 1n || nanoseconds < -(2n ** 31n)) {
          this.fail("timestamp out of range", nanosAt);
        }
        return { type, seconds, nanoseconds: Number(nanoseconds) };
      }
      case "Float":
        return { type, value: this.view(4).getFloat32(0, true) };
      case "Double":
        return { type, value: this.view(8).getFloat64(0, true) };
      case "Decimal":
        return this.readDecimal();
      case "Link":
        return { type, table: this.readInterned(), pk: this.readPrimaryKey() };
      case "ObjectId":
        return { type, bytes: this.readBytes(12) };
      case "UUID":
        return { type, bytes: this.readBytes(16) };
      case "Null":
      case "ObjectValue":
      case "Dictionary":
      case "Erased":
      case "List":
      case "Set":
        return { type };
    }
  }

  private readDecimal(): RealmPayload {
    const at = this.position;
    const coefficient = decodeBid(this.bytes, this.position);
    if (coefficient === undefined) this.fail("bad decimal coefficient", at);
    this.position = coefficient.next;
    const exponentAt = this.position;
    const exponent = this.readInt("decimal exponent");
    if (exponent < -(2n ** 31n) || exponent >= 2n ** 31n) {
      this.fail("decimal exponent out of range", exponentAt);
    }
    const sign = this.readInt("decimal sign") !== 0n;
    return { type: "Decimal", coefficient: coefficient.value, exponent: Number(exponent), sign };
  }

  private readPayloadType(): PayloadType {
    const at = this.position;
    const number = this.readInt("payload type");
    const type = number >= -6n && number <= 11n ? PAYLOAD_TYPES.get(Number(number)) : undefined;
    if (type === undefined) this.fail(`unsupported payload type ${number}`, at);
    return type;
  }

  private readCollectionType(): RealmCollectionType {
    const at = this.position;
    const type = COLLECTION_TYPES.get(this.readUnsigned(255, "collection type"));
    if (type === undefined) this.fail("unsupported collection type", at);
    return type;
  }

  private readInterned(): string {
    const at = this.position;
    const index = this.readU32("intern index");
    const text = this.interned[index];
    if (text === undefined) this.fail(`invalid interned string ${index}`, at);
    return text;
  }

  private readString(): string {
    const at = this.position;
    const length = this.readUnsigned(MAX_REALM_STRING_BYTES, "string length");
    try {
      return utf8.decode(this.readBytes(length));
    } catch (cause) {
      if (cause instanceof ChangesetFormatError) throw cause;
      return this.fail("string is not UTF-8", at);
    }
  }

  private readBinary(): Uint8Array {
    return this.readBytes(this.readUnsigned(MAX_REALM_BINARY_BYTES, "binary length"));
  }

  private readBytes(length: number): Uint8Array {
    if (length > this.bytes.length - this.position) this.fail("truncated input");
    const slice = this.bytes.slice(this.position, this.position + length);
    this.position += length;
    return slice;
  }

  private view(length: number): DataView {
    const bytes = this.readBytes(length);
    return new DataView(bytes.buffer, bytes.byteOffset, length);
  }

  private readBool(): boolean {
    return this.readUnsigned(255, "boolean") !== 0;
  }

  private readU32(what: string): number {
    return this.readUnsigned(UINT32_MAX, what);
  }

  private readU64(what: string): bigint {
    const at = this.position;
    const value = this.readInt(what);
    if (value < 0n) this.fail(`negative ${what}`, at);
    return value;
  }

  private readUnsigned(max: number, what: string): number {
    const at = this.position;
    const value = this.readInt(what);
    if (value < 0n || value > BigInt(max)) this.fail(`${what} out of range`, at);
    return Number(value);
  }

  private readInt(what: string): bigint {
    const decoded = decodeInt(this.bytes, this.position);
    if (decoded === undefined) this.fail(`bad ${what} encoding`);
    this.position = decoded.next;
    return decoded.value;
  }

  private fail(complaint: string, at = this.position): never {
    throw new ChangesetFormatError(`Bad Realm changeset at byte ${at}: ${complaint}`);
  }
}
