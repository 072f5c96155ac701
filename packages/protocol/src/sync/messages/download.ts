import { z } from "zod";
import {
  bytes,
  downloadCursor,
  saltedVersion,
  sessionId,
  uploadCursor,
  version,
} from "../fields.js";

export const BatchState = { MoreToCome: 0, LastInBatch: 1, SteadyState: 2 } as const;
export type BatchState = (typeof BatchState)[keyof typeof BatchState];

/** One server changeset; `originFileIdent` 1 is the server itself (writes from functions, data access, merges). */
export const downloadChangeset = z
  .object({
    serverVersion: version,
    lastIntegratedClientVersion: version,
    originTimestamp: version,
    originFileIdent: version,
    changeset: bytes,
  })
  .strict();
export type DownloadChangeset = z.output<typeof downloadChangeset>;

/**
 * Server → client: changesets the client lacks, never its own. Bootstrap batches of a query
 * version carry MoreToCome … LastInBatch and are applied by the client in one transaction;
 * steady-state downloads carry SteadyState. `upload` acknowledges the client's uploads.
 */
export const downloadMessage = z
  .object({
    type: z.literal("download"),
    session: sessionId,
    download: downloadCursor,
    upload: uploadCursor,
    latestServerVersion: saltedVersion,
    queryVersion: version,
    batchState: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    progressEstimate: z.number().min(0).max(1),
    changesets: z.array(downloadChangeset),
  })
  .strict();
export type DownloadMessage = z.output<typeof downloadMessage>;
