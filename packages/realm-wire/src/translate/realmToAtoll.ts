/**
 * realm-core instructions → Atoll instructions. Schema instructions (AddTable, AddColumn, …)
 * have no Atoll counterpart: they come back apart, for the session to check against the app
 * schema. Atoll addresses a field by a path whose first element is the property name; realm-core
 * keeps the property apart from the rest of the path.
 */
import {
  ChangesetFormatError,
  type CollectionType,
  type Instruction,
  type Path,
  validateInstruction,
} from "@atoll/protocol";
import { Long } from "bson";
import {
  isSchemaInstruction,
  type RealmCollectionType,
  type RealmDataInstruction,
  type RealmInstruction,
  type RealmSchemaInstruction,
} from "../changeset/realmInstructions.js";
import { payloadToAtoll, primaryKeyToAtoll } from "./realmValues.js";

export interface TranslatedChangeset {
  readonly schema: RealmSchemaInstruction[];
  readonly instructions: Instruction[];
}

/** What only the schema knows: the kind of a collection property (for clients before v13). */
export interface CollectionKinds {
  collectionOf(table: string, field: string): CollectionType | undefined;
}

export function realmToAtoll(
  instructions: readonly RealmInstruction[],
  kinds?: CollectionKinds,
): TranslatedChangeset {
  const schema: RealmSchemaInstruction[] = [];
  const translated: Instruction[] = [];
  for (const instruction of instructions) {
    if (isSchemaInstruction(instruction)) schema.push(instruction);
    // Atoll's own validation too: a frame from a device is never trusted.
    else translated.push(validateInstruction(translateData(instruction, kinds), translated.length));
  }
  return { schema, instructions: translated };
}

function translateData(instruction: RealmDataInstruction, kinds?: CollectionKinds): Instruction {
  const table = instruction.table;
  const pk = primaryKeyToAtoll(instruction.pk);
  if (instruction.type === "CreateObject" || instruction.type === "EraseObject") {
    return { type: instruction.type, table, pk };
  }
  const path: Path = [instruction.field, ...instruction.path];
  switch (instruction.type) {
    case "Update":
      if (instruction.value.type === "Erased") return { type: "Erase", table, pk, path };
      return {
        type: "Update",
        table,
        pk,
        path,
        value: payloadToAtoll(instruction.value),
        ...(instruction.isDefault === true ? { isDefault: true } : {}),
        ...(instruction.priorSize === undefined ? {} : { priorSize: instruction.priorSize }),
      };
    case "AddInteger":
      return { type: "AddInteger", table, pk, path, value: Long.fromBigInt(instruction.value) };
    case "ArrayInsert":
      return {
        type: "ArrayInsert",
        table,
        pk,
        path,
        value: payloadToAtoll(instruction.value),
        priorSize: instruction.priorSize,
      };
    case "ArrayMove":
      return {
        type: "ArrayMove",
        table,
        pk,
        path,
        to: instruction.to,
        priorSize: instruction.priorSize,
      };
    case "ArrayErase":
      return { type: "ArrayErase", table, pk, path, priorSize: instruction.priorSize };
    case "Clear":
      return {
        type: "Clear",
        table,
        pk,
        path,
        collectionType: clearedKind(instruction.collectionType, table, instruction.field, kinds),
      };
    case "SetInsert":
    case "SetErase":
      return { type: instruction.type, table, pk, path, value: payloadToAtoll(instruction.value) };
  }
}

const KINDS: Readonly<Record<Exclude<RealmCollectionType, "Single">, CollectionType>> = {
  List: "list",
  Dictionary: "dictionary",
  Set: "set",
};

function clearedKind(
  type: RealmCollectionType,
  table: string,
  field: string,
  kinds?: CollectionKinds,
): CollectionType {
  if (type !== "Single") return KINDS[type];
  // Before protocol 13 a Clear carried no collection type; the schema says which it is.
  const kind = kinds?.collectionOf(table, field);
  if (kind === undefined) {
    throw new ChangesetFormatError(`Clear of ${table}.${field}, which is not a collection`);
  }
  return kind;
}
