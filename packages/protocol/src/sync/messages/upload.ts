import { z } from "zod";
import { bytes, sessionId, uploadCursor, version } from "../fields.js";

/**
 * One local changeset: its client version, the server version it was based on (which bounds
 * what it must be merged against), when it was made (ms since the Unix epoch; the
 * last-writer-wins tie-break), and the encoded instructions.
 */
export const uploadChangeset = z
  .object({
    clientVersion: version,
    lastIntegratedServerVersion: version,
    originTimestamp: version,
    changeset: bytes,
  })
  .strict();
export type UploadChangeset = z.output<typeof uploadChangeset>;

/**
 * Client → server: changesets in client-version order. `progress` is the client's upload
 * cursor after these; re-sent changesets at or below what the server already integrated are
 * recognised and skipped.
 */
export const uploadMessage = z
  .object({
    type: z.literal("upload"),
    session: sessionId,
    progress: uploadCursor,
    lockedServerVersion: version,
    changesets: z.array(uploadChangeset),
  })
  .strict();
export type UploadMessage = z.output<typeof uploadMessage>;
