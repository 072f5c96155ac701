/**
 * Regular expressions in queries run on RE2, whose matching time is linear in the input
 * whatever the pattern: a pattern only a backtracking engine can run (backreferences,
 * lookaround) is refused, never run on JavaScript's `RegExp`. Options are MongoDB's `i`, `m`,
 * `s` and `u` (`x`, extended syntax, is refused); patterns are capped in length.
 */
import { AppError } from "@atoll/protocol";
import { BSONRegExp } from "bson";
import RE2 from "re2";
import { isDocument } from "./checkArguments.js";
import type { Document } from "./types.js";

const SUPPORTED_OPTIONS = /^[imsu]*$/;
const CACHE_SIZE = 64;
const compiled = new Map<string, RE2>();

/** An RE2 for `pattern`; `global` for scanning every match with `lastIndex`. */
export function safeRegex(
  pattern: unknown,
  options: unknown,
  maxLength: number,
  global = false,
): RE2 {
  if (typeof pattern !== "string")
    throw regexError("a regular expression pattern must be a string");
  const flags = options ?? "";
  if (typeof flags !== "string" || !SUPPORTED_OPTIONS.test(flags)) {
    throw regexError(
      `regular expression options ${JSON.stringify(flags)} are not supported (use i, m, s, u)`,
    );
  }
  if (pattern.length > maxLength) {
    throw regexError(`a regular expression pattern is limited to ${maxLength} characters`);
  }
  const key = `${flags}${global ? "g" : ""}/${pattern}`;
  const cached = compiled.get(key);
  if (cached !== undefined) return cached;
  let regex: RE2;
  try {
    regex = new RE2(pattern, flags + (global ? "g" : ""));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw regexError(
      `unsupported regular expression /${pattern}/: ${reason} (backreferences and lookaround are not supported)`,
    );
  }
  if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, regex);
  return regex;
}

/** The pattern and options of a regex value (JS `RegExp` or BSON), or undefined. */
export function regexParts(value: unknown): { pattern: string; options: string } | undefined {
  if (value instanceof RegExp) return { pattern: value.source, options: value.flags };
  if (value instanceof BSONRegExp) return { pattern: value.pattern, options: value.options };
  return undefined;
}

export function isRegexValue(value: unknown): boolean {
  return regexParts(value) !== undefined;
}

function regexError(message: string): AppError {
  return new AppError("MongoDBError", message, { details: { operator: "$regex" } });
}

/**
 * A filter in which every regex value (a field's value, `$regex`'s argument, `$not`'s
 * argument; JS `RegExp` or BSON, as Extended JSON's `$regularExpression` and the legacy
 * `{$regex, $options}` form decode) is written `{$regex: pattern, $options: options}`, the one
 * form the RE2 `$regex` operator evaluates. Regexes inside `$in`, `$nin` and `$all` are
 * refused.
 */
export function withRegexConditions(filter: Document): Document {
  return mapClause(filter);
}

function mapClause(clause: Document): Document {
  const out: Document = {};
  for (const [key, value] of Object.entries(clause)) {
    let mapped = value;
    if ((key === "$and" || key === "$or" || key === "$nor") && Array.isArray(value)) {
      mapped = value.map((part: unknown) => (isDocument(part) ? mapClause(part) : part));
    } else if (!key.startsWith("$")) {
      mapped = mapCondition(value);
    }
    Object.defineProperty(out, key, {
      value: mapped,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function mapCondition(condition: unknown): unknown {
  const parts = regexParts(condition);
  if (parts !== undefined) return { $regex: parts.pattern, $options: parts.options };
  if (!isDocument(condition) || !Object.keys(condition).some((key) => key.startsWith("$")))
    return condition;
  const out: Document = { ...condition };
  const inner = regexParts(condition.$regex);
  if (inner !== undefined) {
    out.$regex = inner.pattern;
    out.$options = condition.$options ?? inner.options;
  }
  if ("$not" in condition) out.$not = mapCondition(condition.$not);
  if (isDocument(condition.$elemMatch)) {
    const elem = condition.$elemMatch;
    out.$elemMatch = Object.keys(elem).some((key) => key.startsWith("$"))
      ? mapCondition(elem)
      : mapClause(elem);
  }
  for (const list of ["$in", "$nin", "$all"]) {
    const items = condition[list];
    if (Array.isArray(items) && items.some(isRegexValue)) {
      throw new AppError("MongoDBError", `regular expressions inside ${list} are not supported`, {
        details: { operator: list },
      });
    }
  }
  return out;
}
