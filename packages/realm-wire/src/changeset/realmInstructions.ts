/**
 * realm-core's sync instructions as plain data: what a native Realm app's changeset holds.
 * Strings are resolved (the wire's interning is the codec's business); integers that may use
 * all 64 bits are `bigint`; ObjectIds, UUIDs and binaries are raw bytes.
 *
 * A path instruction addresses `field` of the object `(table, pk)`, then `path` descends into it:
 * numbers are list indexes, strings are embedded-object fields or dictionary keys. A field set
 * has an empty path.
 */

/** Wire numbers of realm-core's payload types; the negative ones carry no data. */
export const PayloadTypeNumber = {
  GlobalKey: -1,
  ObjectValue: -2,
  Dictionary: -3,
  Erased: -4,
  List: -5,
  Set: -6,
  Null: 0,
  Int: 1,
  Bool: 2,
  String: 3,
  Binary: 4,
  Timestamp: 5,
  Float: 6,
  Double: 7,
  Decimal: 8,
  Link: 9,
  ObjectId: 10,
  UUID: 11,
} as const;
export type PayloadType = keyof typeof PayloadTypeNumber;

export const InstructionTypeNumber = {
  AddTable: 0,
  EraseTable: 1,
  CreateObject: 2,
  EraseObject: 3,
  Update: 4,
  AddInteger: 5,
  AddColumn: 6,
  EraseColumn: 7,
  ArrayInsert: 8,
  ArrayMove: 9,
  ArrayErase: 10,
  Clear: 11,
  SetInsert: 12,
  SetErase: 13,
} as const;
export type RealmInstructionType = keyof typeof InstructionTypeNumber;

/** The meta-instruction that defines the next interned string. */
export const INTERN_STRING_TAG = 0x3f;

/** realm-core's Table::Type. */
export const TableTypeNumber = { TopLevel: 0, Embedded: 1, TopLevelAsymmetric: 2 } as const;
export type TableType = keyof typeof TableTypeNumber;

/** Collection kinds of a column or a Clear; `Single` is a plain field (and pre-v13 Clears). */
export const CollectionTypeNumber = { Single: 0, List: 1, Dictionary: 2, Set: 3 } as const;
export type RealmCollectionType = keyof typeof CollectionTypeNumber;

/** A primary key: the payload types a key may have. GlobalKey is partition-based sync's. */
export type RealmPrimaryKey =
  | { readonly type: "Null" }
  | { readonly type: "Int"; readonly value: bigint }
  | { readonly type: "String"; readonly value: string }
  | { readonly type: "ObjectId"; readonly bytes: Uint8Array }
  | { readonly type: "UUID"; readonly bytes: Uint8Array }
  | { readonly type: "GlobalKey"; readonly hi: bigint; readonly lo: bigint };

/**
 * A value. Decimal128 is kept as realm-core unpacks it (coefficient, unbiased exponent, sign)
 * so that every decoded value re-encodes to the same bytes; `decimalBytes` packs it.
 */
export type RealmPayload =
  | { readonly type: "Null" }
  | { readonly type: "Int"; readonly value: bigint }
  | { readonly type: "Bool"; readonly value: boolean }
  | { readonly type: "String"; readonly value: string }
  | { readonly type: "Binary"; readonly bytes: Uint8Array }
  | { readonly type: "Timestamp"; readonly seconds: bigint; readonly nanoseconds: number }
  | { readonly type: "Float"; readonly value: number }
  | { readonly type: "Double"; readonly value: number }
  | {
      readonly type: "Decimal";
      readonly coefficient: bigint;
      readonly exponent: number;
      readonly sign: boolean;
    }
  | { readonly type: "Link"; readonly table: string; readonly pk: RealmPrimaryKey }
  | { readonly type: "ObjectId"; readonly bytes: Uint8Array }
  | { readonly type: "UUID"; readonly bytes: Uint8Array }
  | { readonly type: "ObjectValue" | "Dictionary" | "Erased" | "List" | "Set" };

export type RealmPathElement = string | number;

interface ObjectInstruction {
  readonly table: string;
  readonly pk: RealmPrimaryKey;
}
interface PathInstruction extends ObjectInstruction {
  readonly field: string;
  readonly path: readonly RealmPathElement[];
}

export type AddTable =
  | { readonly type: "AddTable"; readonly table: string; readonly tableType: "Embedded" }
  | {
      readonly type: "AddTable";
      readonly table: string;
      readonly tableType: "TopLevel" | "TopLevelAsymmetric";
      readonly pkField: string;
      readonly pkType: PayloadType;
      readonly pkNullable: boolean;
    };
export interface EraseTable {
  readonly type: "EraseTable";
  readonly table: string;
}
export interface AddColumn {
  readonly type: "AddColumn";
  readonly table: string;
  readonly field: string;
  /** `Null` means Mixed. */
  readonly valueType: PayloadType;
  readonly nullable: boolean;
  readonly collectionType: RealmCollectionType;
  readonly linkTargetTable?: string;
  /** Only for dictionaries. */
  readonly keyType?: PayloadType;
}
export interface EraseColumn {
  readonly type: "EraseColumn";
  readonly table: string;
  readonly field: string;
}
export interface RealmCreateObject extends ObjectInstruction {
  readonly type: "CreateObject";
}
export interface RealmEraseObject extends ObjectInstruction {
  readonly type: "EraseObject";
}
/** A field set carries `isDefault`; a list element set (path ends in an index) `priorSize`. */
export interface RealmUpdate extends PathInstruction {
  readonly type: "Update";
  readonly value: RealmPayload;
  readonly isDefault?: boolean;
  readonly priorSize?: number;
}
export interface RealmAddInteger extends PathInstruction {
  readonly type: "AddInteger";
  readonly value: bigint;
}
export interface RealmArrayInsert extends PathInstruction {
  readonly type: "ArrayInsert";
  readonly value: RealmPayload;
  readonly priorSize: number;
}
export interface RealmArrayMove extends PathInstruction {
  readonly type: "ArrayMove";
  readonly to: number;
  readonly priorSize: number;
}
export interface RealmArrayErase extends PathInstruction {
  readonly type: "ArrayErase";
  readonly priorSize: number;
}
export interface RealmClear extends PathInstruction {
  readonly type: "Clear";
  readonly collectionType: RealmCollectionType;
}
export interface RealmSetInsert extends PathInstruction {
  readonly type: "SetInsert";
  readonly value: RealmPayload;
}
export interface RealmSetErase extends PathInstruction {
  readonly type: "SetErase";
  readonly value: RealmPayload;
}

export type RealmSchemaInstruction = AddTable | EraseTable | AddColumn | EraseColumn;
export type RealmDataInstruction =
  | RealmCreateObject
  | RealmEraseObject
  | RealmUpdate
  | RealmAddInteger
  | RealmArrayInsert
  | RealmArrayMove
  | RealmArrayErase
  | RealmClear
  | RealmSetInsert
  | RealmSetErase;
export type RealmInstruction = RealmSchemaInstruction | RealmDataInstruction;

export function isSchemaInstruction(
  instruction: RealmInstruction,
): instruction is RealmSchemaInstruction {
  return (
    instruction.type === "AddTable" ||
    instruction.type === "EraseTable" ||
    instruction.type === "AddColumn" ||
    instruction.type === "EraseColumn"
  );
}

/** Whether a path instruction addresses a list element (its path ends in an index). */
export function endsInIndex(path: readonly RealmPathElement[]): boolean {
  return typeof path[path.length - 1] === "number";
}

/** The primary-key types realm-core accepts in AddTable. */
export function isPrimaryKeyType(type: PayloadType): boolean {
  return (
    type === "Int" ||
    type === "String" ||
    type === "ObjectId" ||
    type === "UUID" ||
    type === "GlobalKey"
  );
}
