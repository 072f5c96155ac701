import type { z } from "zod";
import { ConfigError, fieldPath } from "./ConfigError.js";

/**
 * Validates one parsed file against its shape. The first problem becomes a `ConfigError`
 * naming the file and the field, so the operator fixes one thing at a time in file order.
 * `at` prefixes the field path when the value sits inside a larger document.
 */
export function parseConfig<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  file: string,
  at: readonly (string | number)[] = [],
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  if (first === undefined) throw new ConfigError(file, fieldPath(at), "invalid value");
  const issue = mostSpecific(first);
  throw new ConfigError(file, fieldPath([...at, ...issue.path]), describeIssue(issue));
}

function describeIssue(issue: z.ZodIssue): string {
  // A schema that set its own message knows best; zod's defaults are rephrased.
  if (
    !/^(Required$|Expected .+, received |Invalid enum value|Unrecognized key)/.test(issue.message)
  )
    return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return issue.received === "undefined"
        ? `is required (${issue.expected})`
        : `must be ${article(issue.expected)}, not ${article(issue.received)}`;
    case "unrecognized_keys":
      return `unknown ${issue.keys.length === 1 ? "key" : "keys"} ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    case "invalid_enum_value":
      return `must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}, not ${JSON.stringify(issue.received)}`;
    default:
      return issue.message;
  }
}

/**
 * For a value that matches no alternative of a union, the alternative that got furthest into
 * the value explains the mistake best; a type mismatch at the top says little.
 */
function mostSpecific(issue: z.ZodIssue): z.ZodIssue {
  if (issue.code !== "invalid_union") return issue;
  const deepest = issue.unionErrors
    .flatMap((e) => e.issues)
    .map(mostSpecific)
    .filter((i) => i.path.length > issue.path.length || i.code !== "invalid_type")
    .sort((a, b) => b.path.length - a.path.length)[0];
  return deepest ?? issue;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
