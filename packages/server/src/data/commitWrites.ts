/**
 * The write end of a collection: committing a batch (a duplicate `_id` becomes MongoDB's E11000
 * error) and the optimistic retry loop that re-runs a read-check-commit step when a concurrent
 * writer changed a document after it was read.
 */
import { AppError } from "@atoll/protocol";
import { ObjectId } from "bson";
import { normaliseBson } from "../storage/normaliseBson.js";
import { StorageError } from "../storage/StorageError.js";
import type {
  Namespace,
  StorageEngine,
  StoredDocument,
  WriteOp,
} from "../storage/StorageEngine.js";
import type { UpdateOutcome } from "./updateDocument.js";
import type { Document } from "./types.js";

const MAX_ATTEMPTS = 25;

export async function commitWrites(
  storage: StorageEngine,
  ns: Namespace,
  ops: readonly WriteOp[],
): Promise<void> {
  if (ops.length === 0) return;
  try {
    await storage.commit(ops);
  } catch (error) {
    if (error instanceof StorageError && error.code === "DuplicateKey") {
      const id = normaliseBson(error.details?.id);
      throw new AppError(
        "MongoDBError",
        `E11000 duplicate key error collection: ${ns.db}.${ns.coll} index: _id_ dup key: { _id: ${describeId(id)} }`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** Runs `step`, again from the start while it fails with a storage `Conflict`. */
export async function retryOnConflict<R>(step: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const conflict = error instanceof StorageError && error.code === "Conflict";
      if (!conflict || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** The document to insert: normalised, with a generated ObjectId `_id` first when it has none. */
export function withId(document: Document): Document {
  const doc = normaliseBson(document) as Document;
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  return doc;
}

export function updateOp(
  ns: Namespace,
  entry: StoredDocument,
  outcome: UpdateOutcome,
  kind: "update" | "replace",
): WriteOp {
  if (kind === "replace") return { kind, ns, doc: outcome.doc, expectedVersion: entry.version };
  return {
    kind,
    ns,
    doc: outcome.doc,
    expectedVersion: entry.version,
    updateDescription: {
      updatedFields: outcome.updatedFields,
      removedFields: outcome.removedFields,
    },
  };
}

function describeId(id: unknown): string {
  if (id instanceof ObjectId) return `ObjectId('${id.toHexString()}')`;
  return typeof id === "string" ? `"${id}"` : String(id);
}
