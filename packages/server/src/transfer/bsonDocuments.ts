/**
 * Splits a byte stream of concatenated BSON documents (a mongodump `.bson` file, the body of
 * a mongodump archive) into documents, without holding more than one chunk and one document.
 * A length of -1 where a document would start is a terminator (the archive's separator),
 * reported as `TERMINATOR`.
 */
export const TERMINATOR = Symbol("terminator");

const TERMINATOR_MARK = 0xffffffff;
/** Smallest BSON document: its length and the closing 0. */
const MIN_DOCUMENT = 5;
/** BSON's own limit on a document (16 MiB), with room for mongodump's metadata documents. */
const MAX_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024;

export class MalformedBson extends Error {}

export async function* bsonDocuments(
  chunks: AsyncIterable<Buffer>,
): AsyncGenerator<Uint8Array | typeof TERMINATOR> {
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of chunks) {
    pending = pending.length === offset ? chunk : Buffer.concat([pending.subarray(offset), chunk]);
    offset = 0;
    while (pending.length - offset >= 4) {
      const length = pending.readUInt32LE(offset);
      if (length === TERMINATOR_MARK) {
        offset += 4;
        yield TERMINATOR;
        continue;
      }
      if (length < MIN_DOCUMENT || length > MAX_DOCUMENT)
        throw new MalformedBson(`a BSON document cannot be ${length} bytes long`);
      if (pending.length - offset < length) break;
      yield pending.subarray(offset, offset + length);
      offset += length;
    }
  }
  if (pending.length > offset)
    throw new MalformedBson(
      `the data ends inside a document (${pending.length - offset} bytes left)`,
    );
}
