/**
 * Field schemas shared by several messages. Versions and idents are non-negative safe
 * integers (BSON int32/double/int64 all accepted on the way in); bytes are BSON Binary.
 */
import { Binary, Long } from "bson";
import { z } from "zod";

/** A non-negative integer below 2^53, whichever BSON numeric type carried it. */
export const version = z
  .union([z.number(), z.instanceof(Long)])
  .transform((value) => (value instanceof Long ? value.toNumber() : value))
  .pipe(z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER));

/** Client-chosen session number on one connection; 0 is the connection itself. */
export const sessionId = version.pipe(z.number().min(1));

/** Opaque bytes (a changeset), as a plain Uint8Array view whichever way BSON carried them. */
export const bytes = z
  .union([z.instanceof(Binary), z.instanceof(Uint8Array)])
  .transform((value) => {
    const view = value instanceof Binary ? value.buffer.subarray(0, value.position) : value;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  });

/** Subscriptions of a query version: class name → RQL (queries joined with OR). */
export const queryBody = z.record(z.string().min(1), z.string());

/** Where a client's upload stands: its newest uploaded version and the server version it was based on. */
export const uploadCursor = z
  .object({ clientVersion: version, lastIntegratedServerVersion: version })
  .strict();

/** Where a client's download stands: the server version it has and the newest of its own it saw integrated. */
export const downloadCursor = z
  .object({ serverVersion: version, lastIntegratedClientVersion: version })
  .strict();

export const saltedVersion = z.object({ version, salt: version }).strict();

export type UploadCursor = z.output<typeof uploadCursor>;
export type DownloadCursor = z.output<typeof downloadCursor>;
export type SaltedVersion = z.output<typeof saltedVersion>;
