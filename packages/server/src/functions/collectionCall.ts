/**
 * Host side of `context.services.get(s).db(d).collection(c).<method>(...)`: validates what the
 * sandbox sent and runs it on the `DataService` of the call's identity, the caller's (rules
 * and schema enforced) or the system's. The server's own `__atoll*` databases (users,
 * sessions, keys, logs) are out of reach of every function, system ones included.
 */
import { AppError } from "@atoll/protocol";
import type { DataService, Document } from "../data/types.js";

type ArgKind = "document" | "documents" | "options";

/** Positional argument kinds of each method, as `data/types.ts` declares them; "?" marks optional. */
const METHODS: Readonly<Record<string, readonly `${ArgKind}${"" | "?"}`[]>> = {
  find: ["document?", "options?"],
  findOne: ["document?", "options?"],
  count: ["document?", "options?"],
  aggregate: ["documents"],
  insertOne: ["document"],
  insertMany: ["documents"],
  updateOne: ["document", "document", "options?"],
  updateMany: ["document", "document", "options?"],
  deleteOne: ["document?"],
  deleteMany: ["document?"],
  findOneAndUpdate: ["document", "document", "options?"],
  findOneAndReplace: ["document", "document", "options?"],
  findOneAndDelete: ["document?", "options?"],
};

export interface CollectionCall {
  readonly service: string;
  readonly database: string;
  readonly collection: string;
  readonly method: string;
  readonly args: unknown[];
}

export function parseCollectionCall(value: unknown): CollectionCall {
  const call = isDocument(value) ? value : {};
  const { service, database, collection, method, args } = call;
  if (
    typeof service !== "string" ||
    typeof database !== "string" ||
    typeof collection !== "string" ||
    typeof method !== "string"
  ) {
    throw new AppError(
      "InvalidParameter",
      "a collection call needs a service, database, collection and method name",
    );
  }
  if (!Array.isArray(args))
    throw new AppError("InvalidParameter", "a collection call needs an argument list");
  if (database === "" || collection === "")
    throw new AppError("InvalidParameter", "database and collection names must not be empty");
  if (database.startsWith("__atoll")) {
    throw new AppError(
      "InvalidParameter",
      `database '${database}' is reserved for the server and cannot be used from functions`,
    );
  }
  return { service, database, collection, method, args };
}

export async function runCollectionCall(data: DataService, call: CollectionCall): Promise<unknown> {
  const kinds = Object.hasOwn(METHODS, call.method) ? METHODS[call.method] : undefined;
  if (kinds === undefined) {
    throw new AppError(
      "ServiceCommandNotFound",
      `collection method '${call.method}' does not exist (use ${Object.keys(METHODS).join(", ")})`,
    );
  }
  if (call.args.length > kinds.length) {
    throw new AppError(
      "InvalidParameter",
      `${call.method}() takes at most ${kinds.length} arguments, got ${call.args.length}`,
    );
  }
  const args = kinds.map((kind, index) =>
    checkedArgument(call.method, index, kind, call.args[index]),
  );
  const collection = data.db(call.database).collection(call.collection) as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  return await collection[call.method]!(...args);
}

function checkedArgument(method: string, index: number, kind: string, value: unknown): unknown {
  const optional = kind.endsWith("?");
  const base = optional ? kind.slice(0, -1) : kind;
  const position = `${method}() argument ${index + 1}`;
  if (value === undefined || value === null) {
    if (optional) return undefined;
    throw new AppError("MissingParameter", `${position} is required`);
  }
  if (base === "documents") {
    if (!Array.isArray(value) || !value.every(isDocument))
      throw new AppError("InvalidParameter", `${position} must be an array of documents`);
    return value;
  }
  if (!isDocument(value))
    throw new AppError(
      "InvalidParameter",
      `${position} must be ${base === "options" ? "an options object" : "a document"}`,
    );
  return value;
}

function isDocument(value: unknown): value is Document {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
