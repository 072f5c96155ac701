/**
 * Object merge metadata as stored documents. Clock keys are JSON paths, which are not safe
 * as field names, so clocks and additions are stored as [key, value] pairs.
 */
import type { Document } from "../../data/types.js";
import type { Clock } from "../merge/clock.js";
import { EMPTY_META, type Addition, type ObjectMeta } from "../merge/objectMeta.js";

export function metaToDocument(key: string, meta: ObjectMeta): Document {
  return {
    _id: key,
    clocks: Object.entries(meta.clocks),
    additions: Object.entries(meta.additions),
    ...(meta.erased ? { erased: meta.erased } : {}),
  };
}

export function metaFromDocument(doc: Document | undefined): ObjectMeta {
  if (!doc) return EMPTY_META;
  return {
    clocks: Object.fromEntries(doc.clocks as [string, Clock][]),
    additions: Object.fromEntries(doc.additions as [string, Addition[]][]),
    ...(doc.erased ? { erased: doc.erased as ObjectMeta["erased"] & object } : {}),
  };
}
