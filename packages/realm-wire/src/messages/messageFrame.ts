/** What both directions' codecs share: the header line's bounds and how a frame is assembled. */
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import { ascii, concat } from "./changesetBody.js";
import { FieldReader } from "./FieldReader.js";

/** realm-core's servers cap a header line at 256 bytes; every valid header fits. */
export const MAX_HEADER_BYTES = 256;
/** realm-core uploads in batches of about 128 KB with a hard limit of 16 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface DecodeLimits {
  /** The largest body (uncompressed) and JSON text accepted; default 16 MiB. */
  readonly maxBodyBytes?: number;
}

/** Checks the frame has a header line within bounds and returns a reader at its start. */
export function openFrame(frame: Uint8Array): FieldReader {
  const end = Math.min(frame.length, MAX_HEADER_BYTES);
  if (frame.subarray(0, end).indexOf(0x0a) < 0) {
    throw new SyncProtocolError(
      SyncErrorCode.BadSyntax,
      `Message has no header line within ${MAX_HEADER_BYTES} bytes`,
    );
  }
  return new FieldReader(frame);
}

/** Reads a declared-size text body (JSON or a message) that ends the frame. */
export function readTextBody(
  reader: FieldReader,
  size: number,
  what: string,
  limits: DecodeLimits,
): string {
  const max = limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (size > max) {
    throw new SyncProtocolError(SyncErrorCode.BadSyntax, `${what} exceeds ${max} bytes`);
  }
  const text = reader.text(size, what);
  reader.expectEnd(what);
  return text;
}

/** A header line of the given fields, then the body. */
export function frame(fields: readonly (string | number)[], ...body: Uint8Array[]): Uint8Array {
  for (const field of fields) {
    if (typeof field === "number" && !(Number.isSafeInteger(field) && field >= 0)) {
      throw new RangeError(`A header field must be a non-negative safe integer, not ${field}`);
    }
  }
  return concat([ascii(`${fields.join(" ")}\n`), ...body]);
}

export const utf8Bytes = (text: string): Uint8Array => ascii(text);

export function unknownMessage(type: string): never {
  throw new SyncProtocolError(
    SyncErrorCode.UnknownMessage,
    `Unknown message type '${type.slice(0, 32)}'`,
  );
}
