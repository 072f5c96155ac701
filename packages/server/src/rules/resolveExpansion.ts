/**
 * Resolves one expansion string (`%%user.custom_data.team`, `%%values.limit`, `%%root.owner`)
 * to its value in a rule context. A path that leads nowhere resolves to `undefined`, as a
 * missing field does in MongoDB.
 */
import type { RuleContext } from "./RuleContext.js";

/** The document-bound expansions: they mean a field of the judged document. */
const DOCUMENT_ROOTS = new Set(["%%root", "%%prevRoot", "%%this", "%%prev"]);

export function isExpansion(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("%%");
}

export function splitExpansion(expansion: string): { root: string; path: string } {
  const dot = expansion.indexOf(".");
  return dot === -1
    ? { root: expansion, path: "" }
    : { root: expansion.slice(0, dot), path: expansion.slice(dot + 1) };
}

export function isDocumentExpansion(expansion: string): boolean {
  return DOCUMENT_ROOTS.has(splitExpansion(expansion).root);
}

export function resolveExpansion(expansion: string, ctx: RuleContext): unknown {
  const { root, path } = splitExpansion(expansion);
  switch (root) {
    case "%%true":
      return true;
    case "%%false":
      return false;
    case "%%user":
      return valueAtPath(userAsDocument(ctx), path);
    case "%%values":
      return valueAtPath(valuesAsDocument(ctx.values), path);
    case "%%environment":
      return valueAtPath({ tag: ctx.environment.tag, values: ctx.environment.values }, path);
    case "%%request":
      return valueAtPath(ctx.request, path);
    case "%%root":
      return valueAtPath(ctx.root, path);
    case "%%prevRoot":
      return valueAtPath(ctx.prevRoot, path);
    case "%%this":
      return valueAtPath(ctx.this, path);
    case "%%prev":
      return valueAtPath(ctx.prev, path);
    default:
      return undefined;
  }
}

/** Follows a dotted path through objects and (by numeric segment) arrays. */
export function valueAtPath(value: unknown, path: string): unknown {
  if (path === "") return value;
  let current = value;
  for (const segment of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      const index = Number(segment);
      current = Number.isInteger(index) ? current[index] : undefined;
    } else {
      current = Object.hasOwn(current, segment)
        ? (current as Record<string, unknown>)[segment]
        : undefined;
    }
  }
  return current;
}

function userAsDocument(ctx: RuleContext): Record<string, unknown> {
  const { id, type, data, custom_data, identities } = ctx.user;
  // Identities answer to both spellings found in App Services material.
  const withBothSpellings = identities.map((identity) => ({
    ...identity,
    providerType: identity.provider_type,
  }));
  return { id, type, data, custom_data, identities: withBothSpellings };
}

function valuesAsDocument(values: RuleContext["values"]): Record<string, unknown> {
  return values instanceof Map ? Object.fromEntries(values) : (values as Record<string, unknown>);
}
