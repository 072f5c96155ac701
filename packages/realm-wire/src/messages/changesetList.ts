/** The body of an upload or download: a list of changesets, each behind its numeric fields. */
import { decodeBody, decodeEntries, encodeBody, encodeEntries } from "./changesetBody.js";
import type { FieldReader } from "./FieldReader.js";
import { DEFAULT_MAX_BODY_BYTES, type DecodeLimits } from "./messageFrame.js";

/** The header fields that say how the body is stored. */
export interface BodyHeader {
  readonly compressed: boolean;
  readonly uncompressedSize: number;
  readonly compressedSize: number;
}

/** An encoded list: the header fields (in wire order) and the bytes that follow the header. */
export interface EncodedChangesetList {
  readonly headerFields: readonly number[];
  readonly bytes: Uint8Array;
}

/** Reads the rest of the frame as changesets of `fieldCount` fields each (size last). */
export function readChangesetList<T>(
  reader: FieldReader,
  header: BodyHeader,
  fieldCount: number,
  make: (fields: number[], changeset: Uint8Array) => T,
  limits: DecodeLimits,
): T[] {
  const body = decodeBody(
    reader,
    header.compressed,
    header.uncompressedSize,
    header.compressedSize,
    {
      maxBodyBytes: limits.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    },
  );
  return decodeEntries(body, fieldCount, make);
}

/** Encodes changesets given as their leading fields (the size is added) and bytes. */
export function encodeChangesetList(
  entries: readonly { fields: readonly number[]; changeset: Uint8Array }[],
): EncodedChangesetList {
  const body = encodeBody(encodeEntries(entries));
  return {
    headerFields: [body.compressed ? 1 : 0, body.uncompressedSize, body.compressedSize],
    bytes: body.bytes,
  };
}
