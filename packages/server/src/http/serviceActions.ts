/**
 * The `mongodb-atlas` service actions that realm-web's `mongoClient()` sends through
 * `functions/call`: one argument document `{database, collection, ...}` per call, with the
 * argument names realm-web uses (`project` for find/findOne but `projection` for the
 * findOneAnd* actions). Counts go out typed as realm-core expects: Int32 for
 * matched/modified/deleted counts, Int64 for `count`.
 */
import { AppError } from "@atoll/protocol";
import { Int32, Long } from "bson";
import type { Collection, DataService, Document } from "../data/types.js";

type Args = Record<string, unknown>;
type Action = (collection: Collection, args: Args) => Promise<unknown>;

function doc(args: Args, field: string, required = false): Document | undefined {
  const value = args[field];
  if (value === undefined || value === null) {
    if (required) throw new AppError("MissingParameter", `expected a '${field}' document`);
    return undefined;
  }
  if (typeof value !== "object" || Array.isArray(value))
    throw new AppError("InvalidParameter", `'${field}' must be a document`);
  return value as Document;
}

function docs(args: Args, field: string): Document[] {
  const value = args[field];
  if (
    !Array.isArray(value) ||
    value.some((entry) => typeof entry !== "object" || entry === null || Array.isArray(entry))
  ) {
    throw new AppError("InvalidParameter", `'${field}' must be an array of documents`);
  }
  return value as Document[];
}

function limit(args: Args): number | undefined {
  const value = args.limit;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
    throw new AppError("InvalidParameter", "'limit' must be a non-negative integer");
  return value;
}

function flag(args: Args, field: string): boolean | undefined {
  const value = args[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean")
    throw new AppError("InvalidParameter", `'${field}' must be a boolean`);
  return value;
}

/** Drops options the client left out (realm-web sends `undefined` for them, which JSON drops anyway). */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as T;
}

function updateResult(result: {
  matchedCount: number;
  modifiedCount: number;
  upsertedId?: unknown;
}): Document {
  const out: Document = {
    matchedCount: new Int32(result.matchedCount),
    modifiedCount: new Int32(result.modifiedCount),
  };
  if (result.upsertedId !== undefined) out.upsertedId = result.upsertedId;
  return out;
}

function updateOptions(args: Args) {
  const arrayFilters =
    args.arrayFilters === undefined || args.arrayFilters === null
      ? undefined
      : docs(args, "arrayFilters");
  return defined({ upsert: flag(args, "upsert"), arrayFilters });
}

const modifyOptions = (args: Args) =>
  defined({
    projection: doc(args, "projection"),
    sort: doc(args, "sort"),
    upsert: flag(args, "upsert"),
    returnNewDocument: flag(args, "returnNewDocument"),
  });

/**
 * A Map, not an object: action names come from clients, and an object would also answer to
 * `toString`, `__proto__` and the other names every object inherits.
 */
const ACTIONS: ReadonlyMap<string, Action> = new Map(
  Object.entries({
    find: (c, a) =>
      c.find(
        doc(a, "query") ?? {},
        defined({ projection: doc(a, "project"), sort: doc(a, "sort"), limit: limit(a) }),
      ),
    findOne: (c, a) =>
      c.findOne(
        doc(a, "query") ?? {},
        defined({ projection: doc(a, "project"), sort: doc(a, "sort") }),
      ),
    count: async (c, a) =>
      Long.fromNumber(await c.count(doc(a, "query") ?? {}, defined({ limit: limit(a) }))),
    aggregate: (c, a) => c.aggregate(docs(a, "pipeline")),
    insertOne: (c, a) => c.insertOne(doc(a, "document", true) ?? {}),
    insertMany: (c, a) => c.insertMany(docs(a, "documents")),
    updateOne: async (c, a) =>
      updateResult(
        await c.updateOne(doc(a, "query") ?? {}, doc(a, "update", true) ?? {}, updateOptions(a)),
      ),
    updateMany: async (c, a) =>
      updateResult(
        await c.updateMany(doc(a, "query") ?? {}, doc(a, "update", true) ?? {}, updateOptions(a)),
      ),
    deleteOne: async (c, a) => ({
      deletedCount: new Int32((await c.deleteOne(doc(a, "query") ?? {})).deletedCount),
    }),
    deleteMany: async (c, a) => ({
      deletedCount: new Int32((await c.deleteMany(doc(a, "query") ?? {})).deletedCount),
    }),
    findOneAndUpdate: (c, a) =>
      c.findOneAndUpdate(doc(a, "filter") ?? {}, doc(a, "update", true) ?? {}, modifyOptions(a)),
    // realm-web 2.0.1's findOneAndDelete() sends this action without `update`: treat it as the delete it meant.
    findOneAndReplace: (c, a) =>
      a.update === undefined
        ? c.findOneAndDelete(
            doc(a, "filter") ?? {},
            defined({ projection: doc(a, "projection"), sort: doc(a, "sort") }),
          )
        : c.findOneAndReplace(
            doc(a, "filter") ?? {},
            doc(a, "update", true) ?? {},
            modifyOptions(a),
          ),
    findOneAndDelete: (c, a) =>
      c.findOneAndDelete(
        doc(a, "filter") ?? {},
        defined({ projection: doc(a, "projection"), sort: doc(a, "sort") }),
      ),
  } satisfies Record<string, Action>),
);

/** The collection one action's argument document names; reserved databases are refused. */
export function targetCollection(
  data: DataService,
  args: unknown[],
): { collection: Collection; args: Args } {
  const [first] = args;
  if (args.length !== 1 || typeof first !== "object" || first === null || Array.isArray(first)) {
    throw new AppError("InvalidParameter", "a service action takes exactly one argument document");
  }
  const argument = first as Args;
  const { database, collection } = argument;
  if (
    typeof database !== "string" ||
    database === "" ||
    typeof collection !== "string" ||
    collection === ""
  ) {
    throw new AppError("MissingParameter", "expected 'database' and 'collection' strings");
  }
  if (database.startsWith("__atoll"))
    throw new AppError("InvalidParameter", `database name '${database}' is reserved`);
  return { collection: data.db(database).collection(collection), args: argument };
}

export async function runServiceAction(
  data: DataService,
  action: string,
  args: unknown[],
): Promise<unknown> {
  const run = ACTIONS.get(action);
  if (run === undefined)
    throw new AppError("ServiceCommandNotFound", `function not found: '${action}'`);
  const target = targetCollection(data, args);
  try {
    return await run(target.collection, target.args);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("MongoDBError", error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
}
