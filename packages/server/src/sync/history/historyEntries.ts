/**
 * History entries as stored and as sessions read them. Beside the merged instructions, an
 * entry keeps what fan-out needs so that any session, live or catching up after a reconnect,
 * can decide what to send from the entry alone: each touched object's server document before
 * and after the entry (view enter/leave), and for an upload the corrections its origin must
 * receive (the objects whose effect differs from what was uploaded, restored for the origin's
 * view as it was at integration) with the objects the server rejected, which the origin is told
 * about (231) whenever the entry reaches it — again after a connection lost before the report.
 *
 * An entry made of one object created whole (an insert made outside sync) is stored without
 * its changeset, marked `created`: its instructions are those that create its `after` document
 * and are derived again from it when the entry is read, so the document is stored once.
 */
import {
  decodeChangeset,
  encodeChangeset,
  type Instruction,
  type PrimaryKey,
  type RejectedUpdate,
} from "@atoll/protocol";
import type { RqlSchema } from "@atoll/rql";
import { Binary } from "bson";
import type { Document } from "../../data/types.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { HistoryEntry } from "../merge/integrateUpload.js";

/** One object an entry changed, as the server had it before and after the entry. */
export interface EntryObject {
  readonly table: string;
  readonly pk: PrimaryKey;
  /** Absent when the object did not exist before the entry. */
  readonly before?: Document;
  /** Absent when the entry erased the object. */
  readonly after?: Document;
}

export interface SyncEntry extends HistoryEntry {
  /** The origin's client version (0 for entries made by the server). */
  readonly clientVersion: number;
  readonly objects: readonly EntryObject[];
  /** For the origin file only: what it must apply to converge (empty when nothing changed). */
  readonly corrections: readonly Instruction[];
  /** For the origin file only: the objects of the upload the server rejected (compensating writes). */
  readonly rejected: readonly RejectedObject[];
}

export type RejectedObject = RejectedUpdate & { readonly pk: PrimaryKey };

export type NewEntry = Omit<SyncEntry, "objects" | "corrections" | "rejected"> & {
  readonly objects?: readonly EntryObject[];
  readonly corrections?: readonly Instruction[];
  readonly rejected?: readonly RejectedObject[];
  /**
   * The instructions are exactly `instructionsForDocument` of the only object's `after`:
   * stored without the changeset (see above).
   */
  readonly created?: boolean;
};

function binary(bytes: Uint8Array): Binary {
  return new Binary(bytes);
}

function bytesOf(value: unknown): Uint8Array {
  const stored = value as Binary;
  return stored.buffer.subarray(0, stored.position);
}

export function entryToDocument(entry: NewEntry): Document {
  const created = entry.created === true ? createdObject(entry) : undefined;
  if (created !== undefined) {
    return {
      _id: entry.version,
      originIdent: entry.originIdent,
      originTimestamp: entry.originTimestamp,
      clientVersion: entry.clientVersion,
      created: true,
      objects: [{ table: created.table, pk: created.pk, after: created.after }],
    };
  }
  const corrections = entry.corrections ?? [];
  const rejected = entry.rejected ?? [];
  return {
    _id: entry.version,
    originIdent: entry.originIdent,
    originTimestamp: entry.originTimestamp,
    clientVersion: entry.clientVersion,
    changeset: binary(encodeChangeset(entry.instructions)),
    objects: (entry.objects ?? []).map((object) => ({
      table: object.table,
      pk: object.pk,
      ...(object.before === undefined ? {} : { before: object.before }),
      ...(object.after === undefined ? {} : { after: object.after }),
    })),
    ...(corrections.length === 0 ? {} : { corrections: binary(encodeChangeset(corrections)) }),
    ...(rejected.length === 0
      ? {}
      : { rejected: rejected.map(({ table, pk, reason }) => ({ table, pk, reason })) }),
  };
}

/** The entry's only object when it was created whole by the entry (undefined otherwise). */
function createdObject(entry: NewEntry): (EntryObject & { readonly after: Document }) | undefined {
  const [object, ...others] = entry.objects ?? [];
  if (object?.after === undefined || object.before !== undefined || others.length > 0)
    return undefined;
  if ((entry.corrections ?? []).length > 0 || (entry.rejected ?? []).length > 0) return undefined;
  return { table: object.table, pk: object.pk, after: object.after };
}

/** The entry stored as `doc`; `schema` derives the instructions of a `created` entry. */
export function entryFromDocument(doc: Document, schema: RqlSchema): SyncEntry {
  const objects = (doc.objects as EntryObject[] | undefined) ?? [];
  return {
    version: doc._id as number,
    originIdent: doc.originIdent as number,
    originTimestamp: doc.originTimestamp as number,
    clientVersion: doc.clientVersion as number,
    instructions:
      doc.created === true
        ? createdInstructions(schema, objects)
        : decodeChangeset(bytesOf(doc.changeset)),
    objects,
    corrections: doc.corrections === undefined ? [] : decodeChangeset(bytesOf(doc.corrections)),
    rejected: (doc.rejected as RejectedObject[] | undefined) ?? [],
  };
}

/**
 * A table no longer in the schema (development mode) has no instructions: no device of this
 * schema holds its objects.
 */
function createdInstructions(schema: RqlSchema, objects: readonly EntryObject[]): Instruction[] {
  const object = objects[0];
  if (object?.after === undefined || schema[object.table] === undefined) return [];
  return instructionsForDocument(schema, object.table, object.after);
}
