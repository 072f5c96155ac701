/** Shared by the local sync tests: a schema over every instruction target, and changeset builders. */
import { Long, ObjectId } from "bson";
import type { Instruction, InstructionValue, PathElement } from "@atoll/protocol";
import type { ObjectSchema } from "../../schema/types.js";
import type { DownloadedChangeset } from "./syncTypes.js";

export const syncSchema: ObjectSchema[] = [
  {
    name: "Car",
    primaryKey: "_id",
    properties: {
      _id: "string",
      model: "string",
      miles: { type: "int", default: 0 },
      visits: { type: "counter", default: 0 },
      price: "double?",
      made: "date?",
      blob: "data?",
      ref: "objectId?",
      any: "mixed",
      owner: "Person?",
      riders: "Person[]",
      tags: "string[]",
      features: "string<>",
      extras: "double{}",
      engine: "Engine?",
      wheels: "Wheel[]",
    },
  },
  { name: "Person", primaryKey: "name", properties: { name: "string", age: "int?" } },
  { name: "Engine", embedded: true, properties: { hp: "int", parts: "Wheel[]" } },
  { name: "Wheel", embedded: true, properties: { size: "double" } },
  {
    name: "Reading",
    asymmetric: true,
    primaryKey: "_id",
    properties: { _id: "objectId", value: "double" },
  },
];

export const long = (n: number): Long => Long.fromNumber(n);
export const oid = (): ObjectId => new ObjectId();

/** Instruction builders for one object. */
export function on(table: string, pk: Instruction["pk"]) {
  const at = { table, pk };
  return {
    create: (): Instruction => ({ type: "CreateObject", ...at }),
    erase: (): Instruction => ({ type: "EraseObject", ...at }),
    set: (path: PathElement[], value: InstructionValue): Instruction => ({
      type: "Update",
      ...at,
      path,
      value,
    }),
    add: (path: PathElement[], by: number): Instruction => ({
      type: "AddInteger",
      ...at,
      path,
      value: long(by),
    }),
    insert: (path: PathElement[], value: InstructionValue, priorSize = 0): Instruction => ({
      type: "ArrayInsert",
      ...at,
      path,
      value,
      priorSize,
    }),
    move: (path: PathElement[], to: number, priorSize = 0): Instruction => ({
      type: "ArrayMove",
      ...at,
      path,
      to,
      priorSize,
    }),
    arrayErase: (path: PathElement[], priorSize = 0): Instruction => ({
      type: "ArrayErase",
      ...at,
      path,
      priorSize,
    }),
    clear: (path: PathElement[], collectionType: "list" | "set" | "dictionary"): Instruction => ({
      type: "Clear",
      ...at,
      path,
      collectionType,
    }),
    setInsert: (path: PathElement[], value: InstructionValue): Instruction => ({
      type: "SetInsert",
      ...at,
      path,
      value,
    }),
    setErase: (path: PathElement[], value: InstructionValue): Instruction => ({
      type: "SetErase",
      ...at,
      path,
      value,
    }),
    eraseKey: (path: PathElement[]): Instruction => ({ type: "Erase", ...at, path }),
  };
}

let serverVersion = 0;
/** A server changeset (from another client, origin 2) with the next server version. */
export function fromServer(
  instructions: Instruction[],
  lastIntegratedClientVersion = 0,
): DownloadedChangeset {
  return {
    serverVersion: ++serverVersion,
    lastIntegratedClientVersion,
    originFileIdent: 2,
    originTimestamp: Date.now(),
    instructions,
  };
}

export { databaseOf } from "../../Realm.js";
