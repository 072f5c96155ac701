/**
 * What undoes one changeset: the before-image of every object it touched (null for objects it
 * created), keyed by the local object key. Stored beside the changeset in the upload log so the
 * sync rebase can take pending local changes off before applying the server's, also after a
 * restart.
 */
import { BSON } from "bson";
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

type EncodedEntry = [number, string, number, Uint8Array | string | null];

export function encodeUndo(images: Iterable<readonly [ObjectRow, BeforeImage | null]>): Uint8Array {
  const entries: EncodedEntry[] = [];
  for (const [row, image] of images) {
    const data = image?.alive ? encodeValues(image.values) : null;
    entries.push([row.key, row.cls.name, image?.owner ?? row.owner, data]);
  }
  return BSON.serialize({ entries });
}

export function decodeUndo(bytes: Uint8Array): UndoEntry[] {
  const document = BSON.deserialize(bytes, { promoteBuffers: true }) as {
    entries: EncodedEntry[];
  };
  return document.entries.map(([key, className, owner, data]) => ({
    key,
    className,
    owner,
    values: data === null ? null : decodeValues(data),
  }));
}
