/**
 * Who wrote a value, when, and at which server version: the facts conflict resolution needs.
 * Timestamps are the origin's clock (ms); ties go to the higher file ident, so every node
 * decides the same way.
 */
export interface Clock {
  readonly ts: number;
  readonly ident: number;
  /** The server version of the changeset that wrote it. */
  readonly version: number;
}

/** The writer of an upload being integrated. */
export interface Writer {
  readonly ts: number;
  readonly ident: number;
  /** The last server version the writer had integrated when it wrote. */
  readonly baseVersion: number;
}

/**
 * Whether `writer` may overwrite what `clock` recorded. A write the writer had seen (its
 * version is within the writer's base) or its own earlier write is always overwritten:
 * only concurrent writes are ordered by (timestamp, ident).
 */
export function overwrites(writer: Writer, clock: Clock | undefined): boolean {
  if (!clock || clock.ident === writer.ident || clock.version <= writer.baseVersion) return true;
  return writer.ts > clock.ts || (writer.ts === clock.ts && writer.ident > clock.ident);
}

/** Whether a recorded write happened concurrently with (unseen by) `writer`, by someone else. */
export function isConcurrent(writer: Writer, version: number, ident: number): boolean {
  return version > writer.baseVersion && ident !== writer.ident;
}
