/**
 * Shape checks for what callers hand a collection (clients send these as EJSON through the
 * HTTP API, functions pass whatever their code builds): a wrong shape is a `MongoDBError`
 * naming the argument, never a TypeError from deeper down.
 */
import { AppError } from "@atoll/protocol";
import type { Document } from "./types.js";

export function isDocument(value: unknown): value is Document {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A document argument; `undefined` becomes `fallback` when one is given. */
export function documentArgument(value: unknown, name: string, fallback?: Document): Document {
  if (value === undefined && fallback !== undefined) return fallback;
  if (!isDocument(value))
    throw new AppError("MongoDBError", `${name} must be a document`, {
      details: { argument: name },
    });
  return value;
}

/** An options object whose document-valued and count-valued members are checked. */
export function optionsArgument<T extends object>(value: unknown, name = "options"): T {
  if (value === undefined || value === null) return {} as T;
  const options = documentArgument(value, name);
  for (const member of ["projection", "sort"]) {
    if (options[member] !== undefined && options[member] !== null)
      documentArgument(options[member], `${name}.${member}`);
  }
  for (const member of ["limit", "skip"]) {
    const count = options[member];
    if (
      count !== undefined &&
      count !== null &&
      !(typeof count === "number" && Number.isInteger(count) && count >= 0)
    ) {
      throw new AppError("MongoDBError", `${name}.${member} must be a non-negative integer`, {
        details: { argument: `${name}.${member}` },
      });
    }
  }
  if (
    options.arrayFilters !== undefined &&
    !(Array.isArray(options.arrayFilters) && options.arrayFilters.every(isDocument))
  ) {
    throw new AppError("MongoDBError", `${name}.arrayFilters must be an array of documents`);
  }
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== null && v !== undefined),
  ) as T;
}

export function documentsArgument(value: unknown, name: string): Document[] {
  if (!Array.isArray(value) || !value.every(isDocument)) {
    throw new AppError("MongoDBError", `${name} must be an array of documents`, {
      details: { argument: name },
    });
  }
  return value;
}

/**
 * A document about to be stored may not use `$`-prefixed field names at any depth: they are
 * operators in queries and EJSON type wrappers in storage, so such a document could not be
 * queried or read back faithfully.
 */
export function checkStorable(doc: Document): void {
  const visit = (value: unknown, path: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${path}.${index}`));
      return;
    }
    if (!isDocument(value)) return;
    for (const [name, item] of Object.entries(value)) {
      const here = path === "" ? name : `${path}.${name}`;
      if (name.startsWith("$")) {
        throw new AppError(
          "MongoDBError",
          `the dollar ($) prefixed field '${here}' is not valid for storage`,
          { details: { field: here } },
        );
      }
      visit(item, here);
    }
  };
  visit(doc, "");
}
