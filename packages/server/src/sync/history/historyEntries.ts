/**
 * History entries as stored and as sessions read them. Beside the merged instructions, an
 * entry keeps what fan-out needs so that any session, live or catching up after a reconnect,
 * can decide what to send from the entry alone: each touched object's server document before
 * and after the entry (view enter/leave), and for an upload the corrections its origin must
 * receive (the objects whose effect differs from what was uploaded, restored for the origin's
 * view as it was at integration) with the objects the server rejected, which the origin is told
 * about (231) whenever the entry reaches it — again after a connection lost before the report.
 */
import {
  decodeChangeset,
  encodeChangeset,
  type Instruction,
  type PrimaryKey,
  type RejectedUpdate,
} from "@atoll/protocol";
import { Binary } from "bson";
import type { Document } from "../../data/types.js";
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
};

function binary(bytes: Uint8Array): Binary {
  return new Binary(bytes);
}

function bytesOf(value: unknown): Uint8Array {
  const stored = value as Binary;
  return stored.buffer.subarray(0, stored.position);
}

export function entryToDocument(entry: NewEntry): Document {
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

export function entryFromDocument(doc: Document): SyncEntry {
  const objects = (doc.objects as EntryObject[] | undefined) ?? [];
  return {
    version: doc._id as number,
    originIdent: doc.originIdent as number,
    originTimestamp: doc.originTimestamp as number,
    clientVersion: doc.clientVersion as number,
    instructions: decodeChangeset(bytesOf(doc.changeset)),
    objects,
    corrections: doc.corrections === undefined ? [] : decodeChangeset(bytesOf(doc.corrections)),
    rejected: (doc.rejected as RejectedObject[] | undefined) ?? [],
  };
}
