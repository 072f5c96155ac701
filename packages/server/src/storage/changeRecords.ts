/**
 * Change records as both engines build them: from a committed operation (sharing its
 * documents, read-only by contract) or from a stored row (the EJSON texts the codec wrote).
 */
import { decodeDocument } from "./documentCodec.js";
import type { ChangeRecord, WriteOp } from "./StorageEngine.js";
import type { OperationType } from "../data/types.js";

/** Databases of the server's own bookkeeping: stored like any other, never in the change feed. */
export function isInternalDatabase(db: string): boolean {
  return db.startsWith("__atoll");
}

/** What every change record of one commit shares: one clock reading, the batch's origin. */
export interface ChangeContext {
  readonly time: Date;
  readonly origin: string | undefined;
}

/** A stored change record: the columns both engines' `changes` tables have. */
export interface ChangeRow {
  readonly seq: number;
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly db: string;
  readonly coll: string;
  readonly op: OperationType;
  readonly document_key: string;
  readonly full_document: string | null;
  readonly update_description: string | null;
  readonly before_document: string | null;
  readonly origin: string | null;
}

export function changeRecord(
  seq: number,
  op: WriteOp,
  change: ChangeContext,
  beforeText: string | null,
): ChangeRecord {
  const record: { -readonly [K in keyof ChangeRecord]: ChangeRecord[K] } = {
    seq,
    operationType: op.kind,
    clusterTime: change.time,
    ns: { db: op.ns.db, coll: op.ns.coll },
    documentKey: { _id: op.kind === "delete" ? op.id : op.doc._id },
  };
  if (op.kind !== "delete") record.fullDocument = op.doc;
  if (op.kind === "update") record.updateDescription = op.updateDescription;
  if (beforeText !== null) record.fullDocumentBeforeChange = decodeDocument(beforeText);
  if (change.origin !== undefined) record.origin = change.origin;
  return record;
}

export function toChangeRecord(row: ChangeRow): ChangeRecord {
  const record: { -readonly [K in keyof ChangeRecord]: ChangeRecord[K] } = {
    seq: row.seq,
    operationType: row.op,
    clusterTime: new Date(row.time),
    ns: { db: row.db, coll: row.coll },
    documentKey: { _id: decodeDocument(row.document_key)._id },
  };
  if (row.full_document !== null) record.fullDocument = decodeDocument(row.full_document);
  if (row.update_description !== null) {
    record.updateDescription = decodeDocument(
      row.update_description,
    ) as ChangeRecord["updateDescription"];
  }
  if (row.before_document !== null)
    record.fullDocumentBeforeChange = decodeDocument(row.before_document);
  if (row.origin !== null) record.origin = row.origin;
  return record;
}
