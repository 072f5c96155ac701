import { z } from "zod";
import type { RuleExpression } from "./types.js";

/**
 * The expansions an App Services rule expression may use (`%%user.id`, `%%root.owner`...).
 * A string or key that starts with `%%` but names none of these is almost always a typo
 * (`%%usr.id`), and would silently compare against `undefined` at run time.
 */
const EXPANSION_ROOTS = new Set([
  "%%true",
  "%%false",
  "%%user",
  "%%values",
  "%%environment",
  "%%request",
  "%%root",
  "%%prevRoot",
  "%%this",
  "%%prev",
  "%%args",
  "%%partition",
]);

export const ruleExpressionSchema: z.ZodType<RuleExpression> = z
  .union([z.boolean(), z.record(z.unknown())], {
    errorMap: () => ({ message: "must be a rule expression: true, false or a JSON object" }),
  })
  .superRefine((expression, ctx) => {
    for (const problem of expressionProblems(expression, [])) {
      ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
    }
  });

interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

function* expressionProblems(value: unknown, path: (string | number)[]): Generator<Problem> {
  if (typeof value === "string") {
    if (value.startsWith("%%") && !EXPANSION_ROOTS.has(expansionRoot(value))) {
      yield { path, message: `unknown expansion ${JSON.stringify(value)}` };
    }
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* expressionProblems(item, [...path, index]);
    return;
  }
  if (value === null || typeof value !== "object") return;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith("%%") && !EXPANSION_ROOTS.has(expansionRoot(key))) {
      yield { path: [...path, key], message: `unknown expansion ${JSON.stringify(key)}` };
    } else if (key === "%function") {
      yield* functionOperatorProblems(item, [...path, key]);
    } else if ((key === "%and" || key === "%or") && !Array.isArray(item)) {
      yield { path: [...path, key], message: `${key} takes an array of expressions` };
    }
    yield* expressionProblems(item, [...path, key]);
  }
}

function* functionOperatorProblems(value: unknown, path: (string | number)[]): Generator<Problem> {
  const call = value as { name?: unknown; arguments?: unknown } | null;
  if (call === null || typeof call !== "object" || typeof call.name !== "string") {
    yield { path, message: "%function needs { name: <function name>, arguments: [...] }" };
  } else if (call.arguments !== undefined && !Array.isArray(call.arguments)) {
    yield { path: [...path, "arguments"], message: "must be an array" };
  }
}

function expansionRoot(expansion: string): string {
  const dot = expansion.indexOf(".");
  return dot === -1 ? expansion : expansion.slice(0, dot);
}

/** Names of the functions an expression calls through `%function`, for cross-checks. */
export function functionsCalledBy(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(functionsCalledBy);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const name = (item as { name?: unknown } | null)?.name;
    const own = key === "%function" && typeof name === "string" ? [name] : [];
    return [...own, ...functionsCalledBy(item)];
  });
}
