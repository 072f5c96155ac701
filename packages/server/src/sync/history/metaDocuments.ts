/**
 * Object merge metadata as stored documents. Clock keys are JSON paths, which are not safe
 * as field names, so clocks and additions are stored as [key, value] pairs. The common shape
 * of an object written whole once (created by one write, inside or outside sync) — every path
 * at the same clock, no additions, not erased — is stored as that one clock and its paths:
 * `{ _id, stamp, paths }`. Both shapes are read.
 */
import type { Document } from "../../data/types.js";
import type { Clock } from "../merge/clock.js";
import { EMPTY_META, type Addition, type ObjectMeta } from "../merge/objectMeta.js";

export function metaToDocument(key: string, meta: ObjectMeta): Document {
  const stamp = singleStamp(meta);
  if (stamp !== undefined) return { _id: key, stamp, paths: Object.keys(meta.clocks) };
  return {
    _id: key,
    clocks: Object.entries(meta.clocks),
    additions: Object.entries(meta.additions),
    ...(meta.erased ? { erased: meta.erased } : {}),
  };
}

export function metaFromDocument(doc: Document | undefined): ObjectMeta {
  if (!doc) return EMPTY_META;
  if (doc.stamp !== undefined) {
    const stamp = doc.stamp as Clock;
    const clocks: Record<string, Clock> = {};
    for (const path of doc.paths as string[]) clocks[path] = stamp;
    return { clocks, additions: {} };
  }
  return {
    clocks: Object.fromEntries(doc.clocks as [string, Clock][]),
    additions: Object.fromEntries(doc.additions as [string, Addition[]][]),
    ...(doc.erased ? { erased: doc.erased as ObjectMeta["erased"] & object } : {}),
  };
}

/** The clock every path of `meta` shares when that is all it holds (undefined otherwise). */
function singleStamp(meta: ObjectMeta): Clock | undefined {
  if (meta.erased !== undefined) return undefined;
  for (const _ in meta.additions) return undefined;
  let stamp: Clock | undefined;
  for (const key in meta.clocks) {
    const clock = meta.clocks[key]!;
    if (stamp === undefined) stamp = clock;
    else if (
      clock.ts !== stamp.ts ||
      clock.ident !== stamp.ident ||
      clock.version !== stamp.version
    )
      return undefined;
  }
  return stamp === undefined
    ? undefined
    : { ts: stamp.ts, ident: stamp.ident, version: stamp.version };
}
