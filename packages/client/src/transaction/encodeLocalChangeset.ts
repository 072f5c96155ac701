/**
 * Encodes a synced write transaction's instructions as the changeset it uploads, refusing one
 * that could not be uploaded: a changeset travels in one upload message, and messages are
 * bounded by the protocol's limit (16 MB), so a larger one would stay in the upload log for ever.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, encodeChangeset } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";
import { ClientErrorCode, RealmError } from "../errors.js";

/** Room left in an upload message for its envelope (cursors, version numbers, field names). */
const ENVELOPE_BYTES = 64 * 1024;

/** The largest changeset one write transaction of a synced realm may produce. */
export const MAX_CHANGESET_BYTES = DEFAULT_MAX_MESSAGE_BYTES - ENVELOPE_BYTES;

function tooLarge(bytes: number | undefined, cause?: unknown): RealmError {
  const size = bytes === undefined ? "more than 16 MB" : `${bytes} bytes`;
  return new RealmError(
    ClientErrorCode.TransactionTooLarge,
    `The write transaction is too large to sync: its changes take ${size}, and a synced transaction can hold at most ${MAX_CHANGESET_BYTES} bytes. Split it into several smaller write transactions.`,
    {
      details: { maxBytes: MAX_CHANGESET_BYTES, ...(bytes === undefined ? {} : { bytes }) },
      cause,
    },
  );
}

/** Throws RealmError `TransactionTooLarge` when the changeset is over the upload limit. */
export function encodeLocalChangeset(instructions: readonly Instruction[]): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = encodeChangeset(instructions);
  } catch (error) {
    // The encoder's own buffer ends near the same limit and throws a RangeError past it.
    if (error instanceof RangeError) throw tooLarge(undefined, error);
    throw error;
  }
  if (bytes.byteLength > MAX_CHANGESET_BYTES) throw tooLarge(bytes.byteLength);
  return bytes;
}
