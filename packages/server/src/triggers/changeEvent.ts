/**
 * The change event a database trigger's function receives, shaped as App Services passes it:
 * `_id` (the resume token, `{_data}`), `operationType`, `clusterTime` (a BSON Timestamp),
 * `wallTime`, `ns`, `documentKey`, `fullDocument`, `fullDocumentBeforeChange` and
 * `updateDescription`. `_id._data` is the change's position in the app's change feed: the
 * same on every delivery of that change and different for every other change, which is what
 * makes it (with `documentKey` and `operationType`) an idempotency key.
 */
import { Timestamp } from "bson";
import type { DatabaseOperationType, DatabaseTriggerConfig } from "../config/types.js";
import { compileFilter, shapeResults } from "../data/mql.js";
import type { Document, OperationType } from "../data/types.js";
import type { ChangeRecord } from "../storage/StorageEngine.js";
import { bsonEquals } from "../sync/bsonEquals.js";
import { SYNC_ORIGIN } from "../sync/history/syncNamespaces.js";

const OPERATIONS: Readonly<Record<OperationType, DatabaseOperationType>> = {
  insert: "INSERT",
  update: "UPDATE",
  replace: "REPLACE",
  delete: "DELETE",
};

/** The resume token of the change at `seq`: fixed-width hex, so tokens sort as the feed does. */
export function resumeToken(seq: number): { _data: string } {
  return { _data: seq.toString(16).padStart(16, "0") };
}

/** Whether `record` changed a document of the trigger's database and collection. */
export function inNamespace(trigger: DatabaseTriggerConfig, record: ChangeRecord): boolean {
  return (
    record.ns.db === trigger.database &&
    (trigger.collection === "" || record.ns.coll === trigger.collection)
  );
}

function concerns(trigger: DatabaseTriggerConfig, record: ChangeRecord): boolean {
  return (
    inNamespace(trigger, record) &&
    trigger.operationTypes.includes(OPERATIONS[record.operationType])
  );
}

/** Builds the trigger's events from change records: its options applied, then `match`, then `project`. */
export function eventBuilder(
  trigger: DatabaseTriggerConfig,
): (record: ChangeRecord) => Document | undefined {
  const matches = compileFilter(trigger.match);
  const projection = Object.keys(trigger.project).length > 0 ? trigger.project : undefined;
  return (stored) => {
    const record = asClientWouldSee(stored);
    if (!concerns(trigger, record)) return undefined;
    const event = changeEvent(trigger, record);
    if (!matches(event)) return undefined;
    return projection === undefined ? event : shapeResults([event], { projection })[0];
  };
}

/**
 * Sync stores a device's change to an object as a replace of the whole document; a device
 * changed some fields, as a data-API `$set` does, so triggers see an update with the fields
 * that changed, and the same trigger fires for both.
 */
function asClientWouldSee(record: ChangeRecord): ChangeRecord {
  const before = record.fullDocumentBeforeChange;
  const after = record.fullDocument;
  if (record.origin !== SYNC_ORIGIN || record.operationType !== "replace") return record;
  if (before === undefined || after === undefined) return record;
  const updatedFields: Document = {};
  for (const [field, value] of Object.entries(after)) {
    if (!(field in before) || !bsonEquals(before[field], value)) updatedFields[field] = value;
  }
  const removedFields = Object.keys(before).filter((field) => !(field in after));
  return {
    ...record,
    operationType: "update",
    updateDescription: { updatedFields, removedFields },
  };
}

function changeEvent(trigger: DatabaseTriggerConfig, record: ChangeRecord): Document {
  const wholeDocument =
    record.operationType === "insert" ||
    record.operationType === "replace" ||
    (record.operationType === "update" && trigger.fullDocument);
  return {
    _id: resumeToken(record.seq),
    operationType: record.operationType,
    clusterTime: new Timestamp({
      t: Math.floor(record.clusterTime.getTime() / 1000),
      i: record.seq % 2 ** 32,
    }),
    wallTime: record.clusterTime,
    ns: { db: record.ns.db, coll: record.ns.coll },
    documentKey: { _id: record.documentKey._id },
    ...(wholeDocument && record.fullDocument !== undefined
      ? { fullDocument: record.fullDocument }
      : {}),
    ...(trigger.fullDocumentBeforeChange && record.fullDocumentBeforeChange !== undefined
      ? { fullDocumentBeforeChange: record.fullDocumentBeforeChange }
      : {}),
    ...(record.updateDescription === undefined
      ? {}
      : {
          updateDescription: {
            updatedFields: record.updateDescription.updatedFields,
            removedFields: record.updateDescription.removedFields,
            truncatedArrays: [],
          },
        }),
  };
}
