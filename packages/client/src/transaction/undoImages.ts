/**
 * What undoes one changeset: the before-image of every object it touched (null for objects it
 * created; none for objects it created and removed again, such as ingested ones), keyed by the
 * local object key. Stored beside the changeset in the upload log so the sync rebase can take
 * pending local changes off before applying the server's, also after a restart.
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

/** The UTF-8 bytes of class names, made once per name. */
const nameBytes = new Map<string, Buffer>();

function utf8Name(name: string): Buffer {
  let bytes = nameBytes.get(name);
  if (!bytes) nameBytes.set(name, (bytes = Buffer.from(name, "utf8")));
  return bytes;
}

/** Written in one buffer: a transaction creating many objects writes many entries. */
export function encodeUndo(images: Iterable<readonly [ObjectRow, BeforeImage | null]>): Uint8Array {
  const entries: {
    key: number;
    owner: number;
    name: Buffer;
    kind: number;
    data: Buffer | undefined;
  }[] = [];
  let size = 0;
  for (const [row, image] of images) {
    if (image === null && !row.alive) continue; // created and gone again: nothing to undo
    const name = utf8Name(row.cls.name);
    const encoded = image?.alive ? encodeValues(image.values) : undefined;
    const data =
      encoded === undefined
        ? undefined
        : typeof encoded === "string"
          ? Buffer.from(encoded, "utf8")
          : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const kind =
      encoded === undefined ? NONE : typeof encoded === "string" ? JSON_TEXT : BSON_DOCUMENT;
    entries.push({ key: row.key, owner: image?.owner ?? row.owner, name, kind, data });
    size += 8 + 8 + 4 + name.length + 1 + 4 + (data?.length ?? 0);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const { key, owner, name, kind, data } of entries) {
    at = out.writeDoubleLE(key, at);
    at = out.writeDoubleLE(owner, at);
    at = out.writeUInt32LE(name.length, at);
    at += name.copy(out, at);
    at = out.writeUInt8(kind, at);
    at = out.writeUInt32LE(data?.length ?? 0, at);
    if (data) at += data.copy(out, at);
  }
  return out;
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
