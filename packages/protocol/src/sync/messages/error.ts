import { z } from "zod";
import { version } from "../fields.js";

/** One write the server refused: the object's type, primary key and the reason, in Atlas wording. */
export const rejectedUpdate = z
  .object({ table: z.string(), pk: z.unknown(), reason: z.string() })
  .strict();
export type RejectedUpdate = z.output<typeof rejectedUpdate>;

/**
 * Server → client: an error with a sync protocol code. Session 0 is the connection.
 * A compensating write (231) lists `rejectedUpdates` and names the server version of the
 * download that reverts them; it is always sent before that download. An error whose action is
 * a client reset says whether the app allows recovering unsynced changes
 * (`isRecoveryModeDisabled`, the sync configuration's `is_recovery_mode_disabled`).
 */
export const serverErrorMessage = z
  .object({
    type: z.literal("error"),
    session: version,
    code: z.number().int(),
    message: z.string(),
    tryAgain: z.boolean(),
    action: z.string(),
    logURL: z.string().optional(),
    isRecoveryModeDisabled: z.boolean().optional(),
    rejectedUpdates: z.array(rejectedUpdate).optional(),
    rejectedClientVersion: version.optional(),
    compensatingWriteServerVersion: version.optional(),
  })
  .strict();
export type ServerErrorMessage = z.output<typeof serverErrorMessage>;

/** Client → server: the client could not integrate what it received (bad_changeset, 212). */
export const clientErrorMessage = z
  .object({
    type: z.literal("error"),
    session: version,
    code: z.number().int(),
    message: z.string(),
  })
  .strict();
export type ClientErrorMessage = z.output<typeof clientErrorMessage>;
