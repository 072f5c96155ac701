/**
 * Filter plumbing shared by reads and writes: ANDing the read plan's filter into the
 * caller's, and finding the `_id`
 * values a filter pins down so the engine can look them up by key.
 */
import { AppError } from "@atoll/protocol";
import type { Document } from "./types.js";

export function withReadFilter(filter: Document, readFilter: Document): Document {
  if (filter === null || typeof filter !== "object" || Array.isArray(filter)) {
    throw new AppError("MongoDBError", "the query filter must be a document");
  }
  if (Object.keys(readFilter).length === 0) return filter;
  if (Object.keys(filter).length === 0) return readFilter;
  return { $and: [filter, readFilter] };
}

/** The `_id` values a filter restricts to (equality or `$in`, top level or in `$and`), if any. */
export function idsFromFilter(filter: Document): unknown[] | undefined {
  let ids: unknown[] | undefined;
  const narrow = (next: unknown[]): void => {
    ids = ids === undefined ? next : ids.filter((id) => next.some((other) => sameKey(id, other)));
  };
  const visit = (clause: Document): void => {
    if ("_id" in clause) {
      const value = clause._id;
      if (isOperatorObject(value)) {
        const ops = value as Document;
        if (Array.isArray(ops.$in)) narrow(ops.$in);
        if ("$eq" in ops) narrow([ops.$eq]);
      } else if (!(value instanceof RegExp)) {
        narrow([value]);
      }
    }
    if (Array.isArray(clause.$and)) {
      for (const part of clause.$and)
        if (part !== null && typeof part === "object") visit(part as Document);
    }
  };
  visit(filter);
  return ids;
}

function isOperatorObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype &&
    Object.keys(value).some((key) => key.startsWith("$"))
  );
}

function sameKey(a: unknown, b: unknown): boolean {
  return a === b || String(a) === String(b);
}
