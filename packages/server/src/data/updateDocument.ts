/**
 * Update documents (`{$set: ...}`) and replacements applied to one stored document, and the
 * document an upsert creates. Operators: those mingo implements ($set, $unset, $inc, $mul,
 * $min, $max, $rename, $currentDate, $push, $pop, $pull, $pullAll, $addToSet, $bit) plus
 * $setOnInsert (applied only when an upsert inserts). `_id` never changes.
 */
import { AppError } from "@atoll/protocol";
import { EJSON } from "bson";
import { update as mingoUpdate } from "mingo";
import { normaliseBson } from "../storage/normaliseBson.js";
import { checkFieldPath } from "./clientQueryPolicy.js";
import { mongoError } from "./mql.js";
import type { Document } from "./types.js";

export interface UpdateOutcome {
  readonly doc: Document;
  readonly modified: boolean;
  readonly updatedFields: Document;
  readonly removedFields: string[];
}

export function isOperatorUpdate(update: Document): boolean {
  const keys = Object.keys(update);
  return keys.length > 0 && keys.every((key) => key.startsWith("$"));
}

export function checkUpdateDocument(update: Document): void {
  if (!isOperatorUpdate(update)) {
    throw new AppError(
      "MongoDBError",
      "update document requires atomic operators (keys starting with $)",
    );
  }
}

export function checkReplacement(replacement: Document): void {
  if (Object.keys(replacement).some((key) => key.startsWith("$"))) {
    throw new AppError("MongoDBError", "replacement document must not contain update operators");
  }
}

/** Applies an operator update to a copy of `before`. */
export function applyUpdate(
  before: Document,
  update: Document,
  options: { readonly arrayFilters?: readonly Document[]; readonly inserting?: boolean } = {},
): UpdateOutcome {
  checkUpdateDocument(update);
  const doc = normaliseBson(before) as Document;
  for (const [operator, fields] of Object.entries(update)) {
    if (operator === "$setOnInsert") {
      if (options.inserting === true) applyOperator(doc, "$set", fields, options.arrayFilters);
      continue;
    }
    applyOperator(doc, operator, fields, options.arrayFilters);
  }
  return describeChange(before, normaliseBson(doc) as Document);
}

/** A replacement keeps the stored `_id`; a different `_id` is an error, as in MongoDB. */
export function applyReplacement(before: Document, replacement: Document): UpdateOutcome {
  checkReplacement(replacement);
  if ("_id" in replacement && !sameValue(replacement._id, before._id)) {
    throw new AppError("MongoDBError", "the _id field cannot be changed by a replacement");
  }
  const doc = normaliseBson({ _id: before._id, ...replacement }) as Document;
  doc._id = before._id;
  return describeChange(before, doc);
}

/**
 * The document an upsert starts from: the filter's equality conditions (top level and inside
 * `$and`), dotted paths expanded; the update or replacement is applied on top.
 */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const collect = (clause: Document): void => {
    for (const [key, value] of Object.entries(clause)) {
      if (key === "$and" && Array.isArray(value)) {
        for (const part of value)
          if (part !== null && typeof part === "object") collect(part as Document);
      } else if (!key.startsWith("$") && !isOperatorObject(value)) {
        setPath(seed, key, isEqOperator(value) ? (value as { $eq: unknown }).$eq : value);
      } else if (!key.startsWith("$") && isEqOperator(value)) {
        setPath(seed, key, (value as { $eq: unknown }).$eq);
      }
    }
  };
  collect(filter);
  return normaliseBson(seed) as Document;
}

function applyOperator(
  doc: Document,
  operator: string,
  fields: unknown,
  arrayFilters?: readonly Document[],
): void {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw new AppError("MongoDBError", `${operator} takes a document of fields`);
  }
  const paths = Object.keys(fields);
  const renamed = operator === "$rename" ? Object.values(fields as Document).map(String) : [];
  if ([...paths, ...renamed].some((path) => path === "_id" || path.startsWith("_id."))) {
    throw new AppError(
      "MongoDBError",
      "performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  // mingo walks inherited properties when it writes a path: never let one reach a prototype.
  [...paths, ...renamed].forEach(checkFieldPath);
  mongoError(() =>
    mingoUpdate(
      doc,
      { [operator]: fields } as unknown as Parameters<typeof mingoUpdate>[1],
      arrayFilters ? [...arrayFilters] : undefined,
      undefined,
      {
        cloneMode: "deep",
      },
    ),
  );
}

function describeChange(before: Document, after: Document): UpdateOutcome {
  const updatedFields: Document = {};
  const removedFields: string[] = [];
  for (const [key, value] of Object.entries(after)) {
    if (!(key in before) || !sameValue(before[key], value)) updatedFields[key] = value;
  }
  for (const key of Object.keys(before)) if (!(key in after)) removedFields.push(key);
  const modified = Object.keys(updatedFields).length > 0 || removedFields.length > 0;
  return { doc: after, modified, updatedFields, removedFields };
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  return (
    EJSON.stringify({ v: a }, { relaxed: false }) === EJSON.stringify({ v: b }, { relaxed: false })
  );
}

function isOperatorObject(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.keys(value).some((key) => key.startsWith("$"));
}

function isEqOperator(value: unknown): boolean {
  return (
    isOperatorObject(value) &&
    Object.keys(value as Document).length === 1 &&
    "$eq" in (value as Document)
  );
}

function setPath(target: Document, path: string, value: unknown): void {
  const segments = path.split(".");
  let current = target;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (next === null || typeof next !== "object") current[segment] = {};
    current = current[segment] as Document;
  }
  current[segments[segments.length - 1]!] = value;
}
