/**
 * The body of an UPLOAD or DOWNLOAD: changeset entries back to back, each a line of decimal
 * fields ended by a space, then the changeset's bytes. The header declares the body's size and
 * whether it is zlib-compressed (RFC 1950); realm-core compresses bodies over 1 KiB when that
 * makes them smaller, and so does this encoder.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { SyncErrorCode, SyncProtocolError } from "@atoll/protocol";
import { FieldReader } from "./FieldReader.js";

export const COMPRESSION_THRESHOLD = 1024;

export interface BodyLimits {
  /** The largest body, uncompressed, that is accepted. */
  readonly maxBodyBytes: number;
}

/** The header fields `<is_compressed> <uncompressed_size> <compressed_size>` and the body. */
export interface EncodedBody {
  readonly compressed: boolean;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly bytes: Uint8Array;
}

export function encodeBody(uncompressed: Uint8Array): EncodedBody {
  if (uncompressed.length > COMPRESSION_THRESHOLD) {
    const deflated = deflateSync(uncompressed, { level: 1 });
    if (deflated.length < uncompressed.length) {
      return {
        compressed: true,
        uncompressedSize: uncompressed.length,
        compressedSize: deflated.length,
        bytes: deflated,
      };
    }
  }
  return {
    compressed: false,
    uncompressedSize: uncompressed.length,
    compressedSize: 0,
    bytes: uncompressed,
  };
}

/** Reads the rest of a message as a body of the declared sizes, inflating it if compressed. */
export function decodeBody(
  reader: FieldReader,
  compressed: boolean,
  uncompressedSize: number,
  compressedSize: number,
  limits: BodyLimits,
): Uint8Array {
  if (uncompressedSize > limits.maxBodyBytes) {
    throw new SyncProtocolError(
      SyncErrorCode.BadSyntax,
      `Message body of ${uncompressedSize} bytes exceeds the limit of ${limits.maxBodyBytes}`,
    );
  }
  if (!compressed) {
    const body = reader.take(uncompressedSize, "body size");
    reader.expectEnd("body");
    return body;
  }
  const deflated = reader.take(compressedSize, "compressed body size");
  reader.expectEnd("body");
  let inflated: Buffer;
  try {
    // maxOutputLength bounds the memory a hostile "zip bomb" can claim.
    inflated = inflateSync(deflated, { maxOutputLength: Math.max(uncompressedSize, 1) });
  } catch (cause) {
    throw new SyncProtocolError(SyncErrorCode.BadDecompression, "Message body does not inflate", {
      cause,
    });
  }
  if (inflated.length !== uncompressedSize) {
    throw new SyncProtocolError(
      SyncErrorCode.BadDecompression,
      `Message body inflates to ${inflated.length} bytes, not the declared ${uncompressedSize}`,
    );
  }
  return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
}

/** Reads entries of `fieldCount` numeric fields, the last being the changeset's size. */
export function decodeEntries<T>(
  body: Uint8Array,
  fieldCount: number,
  make: (fields: number[], changeset: Uint8Array) => T,
): T[] {
  const reader = new FieldReader(body, 0, SyncErrorCode.BadChangesetHeaderSyntax);
  const entries: T[] = [];
  while (reader.remaining > 0) {
    const fields: number[] = [];
    for (let i = 0; i < fieldCount; i++) fields.push(reader.number("changeset entry header"));
    const size = fields[fieldCount - 1] ?? 0;
    if (size > reader.remaining) {
      throw new SyncProtocolError(SyncErrorCode.BadChangesetSize, "Bad changeset size");
    }
    entries.push(make(fields, reader.take(size, "changeset")));
  }
  return entries;
}

/** Writes entries: each one's numeric fields (the changeset's size last), then its bytes. */
export function encodeEntries(
  entries: readonly { fields: readonly number[]; changeset: Uint8Array }[],
): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(ascii(`${[...entry.fields, entry.changeset.length].join(" ")} `));
    parts.push(entry.changeset);
  }
  return concat(parts);
}

const encoder = new TextEncoder();

export function ascii(text: string): Uint8Array {
  return encoder.encode(text);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
