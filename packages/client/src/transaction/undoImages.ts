/**
 * What undoes one changeset: the before-image of every object it touched (null for objects it
 * created), keyed by the local object key. Stored beside the changeset in the upload log so the
 * sync rebase can take pending local changes off before applying the server's, also after a
 * restart.
 */
import { decodeValues, encodeValues } from "../core/rowCodec.js";
import type { ObjectRow, Stored } from "../schema/ClassInfo.js";

/** A row as it was before a change; `alive: false` or a null image means it did not exist. */
export interface BeforeImage {
  readonly values: Record<string, Stored>;
  readonly alive: boolean;
  readonly owner: number;
}

export interface UndoEntry {
  readonly key: number;
  readonly className: string;
  readonly owner: number;
  /** The stored values to restore, or null when the object did not exist. */
  readonly values: Record<string, Stored> | null;
}

/*
 * Layout (little-endian), free of BSON's 16 MB document limit: per entry, key (f64), owner
 * (f64), class name length (u32) and UTF-8 bytes, data kind (u8: 0 none, 1 JSON text, 2 BSON),
 * data length (u32) and bytes (see rowCodec for the data itself).
 */
const NONE = 0;
const JSON_TEXT = 1;
const BSON_DOCUMENT = 2;

export function encodeUndo(images: Iterable<readonly [ObjectRow, BeforeImage | null]>): Uint8Array {
  const parts: Buffer[] = [];
  for (const [row, image] of images) {
    const name = Buffer.from(row.cls.name, "utf8");
    const encoded = image?.alive ? encodeValues(image.values) : undefined;
    const data =
      encoded === undefined
        ? Buffer.alloc(0)
        : typeof encoded === "string"
          ? Buffer.from(encoded, "utf8")
          : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const header = Buffer.alloc(8 + 8 + 4);
    header.writeDoubleLE(row.key, 0);
    header.writeDoubleLE(image?.owner ?? row.owner, 8);
    header.writeUInt32LE(name.length, 16);
    const kind = Buffer.alloc(1 + 4);
    kind.writeUInt8(
      encoded === undefined ? NONE : typeof encoded === "string" ? JSON_TEXT : BSON_DOCUMENT,
      0,
    );
    kind.writeUInt32LE(data.length, 1);
    parts.push(header, name, kind, data);
  }
  return Buffer.concat(parts);
}

export function decodeUndo(bytes: Uint8Array): UndoEntry[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: UndoEntry[] = [];
  let at = 0;
  while (at < buffer.length) {
    const key = buffer.readDoubleLE(at);
    const owner = buffer.readDoubleLE(at + 8);
    const nameLength = buffer.readUInt32LE(at + 16);
    at += 20;
    const className = buffer.toString("utf8", at, at + nameLength);
    at += nameLength;
    const kind = buffer.readUInt8(at);
    const dataLength = buffer.readUInt32LE(at + 1);
    at += 5;
    const data = buffer.subarray(at, at + dataLength);
    at += dataLength;
    const values =
      kind === NONE
        ? null
        : decodeValues(kind === JSON_TEXT ? data.toString("utf8") : new Uint8Array(data));
    entries.push({ key, className, owner, values });
  }
  return entries;
}
