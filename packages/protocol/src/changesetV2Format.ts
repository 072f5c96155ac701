/**
 * Instruction-set version 2 on the wire: one BSON document
 *
 *   { version: 2, tables: [name, …], groups: [[tableIndex, pk, item, item, …], …] }
 *
 * Consecutive instructions on the same object (table and primary key) form one group, so the
 * table and key are written once per object instead of once per instruction. An item is
 *   - a bare op code for an instruction without operands: `0` CreateObject, `1` EraseObject;
 *   - a document `{field: value, …}`: a run of plain top-level Updates (path of one property,
 *     no `isDefault`, no `priorSize`), one per field, in the document's order;
 *   - an array `[opCode, path, …operands]` for any other instruction (OPERANDS below). A path of
 *     one property is written as that property's name alone.
 *
 * A field name goes into a run document only if the document gives it back unchanged and in
 * place (`fitsFieldDocument`); otherwise that Update takes the general form.
 */
import { INSTRUCTION_SHAPES } from "./instructions.js";
import type { FieldKind, InstructionType } from "./instructions.js";

/** Op codes, in the order of the instruction types' declaration. */
export const OP_CODES: Readonly<Record<InstructionType, number>> = {
  CreateObject: 0,
  EraseObject: 1,
  Update: 2,
  AddInteger: 3,
  ArrayInsert: 4,
  ArrayMove: 5,
  ArrayErase: 6,
  Clear: 7,
  SetInsert: 8,
  SetErase: 9,
  Erase: 10,
};

/**
 * The operands after the op code of the array form, in order: the instruction's fields but
 * `table` and `pk`, checked by the kinds of INSTRUCTION_SHAPES. Optional operands (an Update's
 * `isDefault` and `priorSize`) come last; absent ones are `null`, trailing absent ones left out:
 * `[2, path, value]`, `[2, path, value, isDefault]`, `[2, path, value, null, priorSize]`.
 */
export const OPERANDS: Readonly<Record<InstructionType, readonly string[]>> = {
  CreateObject: [],
  EraseObject: [],
  Update: ["path", "value", "isDefault", "priorSize"],
  AddInteger: ["path", "value"],
  ArrayInsert: ["path", "value", "priorSize"],
  ArrayMove: ["path", "to", "priorSize"],
  ArrayErase: ["path", "priorSize"],
  Clear: ["path", "collectionType"],
  SetInsert: ["path", "value"],
  SetErase: ["path", "value"],
  Erase: ["path"],
};

/** One instruction type's array form, as the encoder and decoder walk it. */
export interface OpLayout {
  readonly type: InstructionType;
  readonly code: number;
  readonly operands: readonly { readonly name: string; readonly kind: FieldKind }[];
  /** How many leading operands must be present. */
  readonly required: number;
}

function layoutOf(type: InstructionType): OpLayout {
  const operands = OPERANDS[type].map((name) => ({ name, kind: INSTRUCTION_SHAPES[type][name]! }));
  const required = operands.filter((operand) => !operand.kind.endsWith("?")).length;
  return { type, code: OP_CODES[type], operands, required };
}

export const LAYOUT_BY_TYPE = Object.fromEntries(
  (Object.keys(OP_CODES) as InstructionType[]).map((type) => [type, layoutOf(type)]),
) as Readonly<Record<InstructionType, OpLayout>>;

/** Layouts by op code; codes 0 and 1 (no operands) appear as bare numbers, not arrays. */
export const LAYOUT_BY_CODE: readonly OpLayout[] = Object.values(LAYOUT_BY_TYPE).sort(
  (a, b) => a.code - b.code,
);

/** Clear's collection type as a number: the index in this list. */
export const COLLECTION_TYPES = ["list", "set", "dictionary"] as const;

/**
 * Whether a property name survives as a key of a BSON document decoded into a JS object, in its
 * place: not an integer-like name (JS puts those first), not `__proto__`, no `$` prefix (`$ref`
 * with `$id` decodes as a DBRef), not `_bsontype` (the encoder would take the document for a
 * BSON value), no NUL (BSON keys are C strings). Names starting with any digit are left out:
 * cheaper to test than "is an array index", and as rare.
 */
export function fitsFieldDocument(field: string): boolean {
  const first = field.charCodeAt(0);
  if (first === 36 /* $ */ || (first >= 48 && first <= 57) /* 0-9 */) return false;
  if (first === 95 /* _ */ && (field === "__proto__" || field === "_bsontype")) return false;
  return !field.includes("\0");
}
