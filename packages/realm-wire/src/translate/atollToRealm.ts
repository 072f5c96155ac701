/**
 * Atoll instructions → realm-core instructions, for downloads to native Realm apps. The inverse
 * of realmToAtoll for data instructions; a JS number becomes a Float only where the schema
 * says the property is one.
 */
import type { CollectionType, Instruction } from "@atoll/protocol";
import type {
  RealmCollectionType,
  RealmDataInstruction,
  RealmPathElement,
} from "../changeset/realmInstructions.js";
import { payloadFromAtoll, primaryKeyFromAtoll } from "./realmValues.js";

export interface FloatProperties {
  isFloat(table: string, field: string): boolean;
}

const NO_FLOATS: FloatProperties = { isFloat: () => false };

const REALM_KINDS: Readonly<Record<CollectionType, RealmCollectionType>> = {
  list: "List",
  dictionary: "Dictionary",
  set: "Set",
};

export function atollToRealm(
  instructions: readonly Instruction[],
  floats: FloatProperties = NO_FLOATS,
): RealmDataInstruction[] {
  return instructions.map((instruction) => translate(instruction, floats));
}

function translate(instruction: Instruction, floats: FloatProperties): RealmDataInstruction {
  const table = instruction.table;
  const pk = primaryKeyFromAtoll(instruction.pk);
  if (instruction.type === "CreateObject" || instruction.type === "EraseObject") {
    return { type: instruction.type, table, pk };
  }
  const [field, ...rest] = instruction.path as [string, ...RealmPathElement[]];
  const path: readonly RealmPathElement[] = rest;
  const value = (v: Parameters<typeof payloadFromAtoll>[0]) =>
    payloadFromAtoll(v, floats.isFloat(table, field));
  switch (instruction.type) {
    case "Update":
      return {
        type: "Update",
        table,
        pk,
        field,
        path,
        value: value(instruction.value),
        ...(typeof path[path.length - 1] === "number"
          ? { priorSize: instruction.priorSize ?? 0 }
          : { isDefault: instruction.isDefault === true }),
      };
    case "Erase":
      return {
        type: "Update",
        table,
        pk,
        field,
        path,
        value: { type: "Erased" },
        isDefault: false,
      };
    case "AddInteger":
      return { type: "AddInteger", table, pk, field, path, value: instruction.value.toBigInt() };
    case "ArrayInsert":
      return {
        type: "ArrayInsert",
        table,
        pk,
        field,
        path,
        value: value(instruction.value),
        priorSize: instruction.priorSize,
      };
    case "ArrayMove":
      return {
        type: "ArrayMove",
        table,
        pk,
        field,
        path,
        to: instruction.to,
        priorSize: instruction.priorSize,
      };
    case "ArrayErase":
      return { type: "ArrayErase", table, pk, field, path, priorSize: instruction.priorSize };
    case "Clear":
      return {
        type: "Clear",
        table,
        pk,
        field,
        path,
        collectionType: REALM_KINDS[instruction.collectionType],
      };
    case "SetInsert":
    case "SetErase":
      return { type: instruction.type, table, pk, field, path, value: value(instruction.value) };
  }
}
