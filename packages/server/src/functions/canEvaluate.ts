/**
 * A function's `can_evaluate` expression, judged by the rules engine with `%%user`,
 * `%%request`, `%%values`, `%%environment` and `%%args` (the call's arguments). The rules
 * engine knows no `%%args`, so the arguments are handed to it as the judged document and
 * every `%%args...` reference, key or value, is rewritten to `%%root.__args...`.
 */
import { AppError } from "@atoll/protocol";
import type { RequestContext, UserContext } from "../callerContext.js";
import type { AppConfig, RuleExpression } from "../config/types.js";
import { evaluateExpression } from "../rules/evaluateExpression.js";
import { ruleContextFor } from "../rules/RuleContext.js";
import type { CallFunction } from "../rules/RuleContext.js";

const ARGS = "%%args";
const ARGS_IN_ROOT = "%%root.__args";

export interface CanEvaluateInput {
  readonly config: AppConfig;
  readonly user: UserContext;
  readonly request: RequestContext | undefined;
  readonly args: readonly unknown[];
  readonly callFunction: CallFunction;
}

export function allowsEveryone(expression: RuleExpression): boolean {
  return (
    expression === true || (typeof expression === "object" && Object.keys(expression).length === 0)
  );
}

export async function canEvaluate(
  name: string,
  expression: RuleExpression,
  input: CanEvaluateInput,
): Promise<boolean> {
  if (allowsEveryone(expression)) return true;
  const context = {
    ...ruleContextFor(input.config, input.user, {
      ...(input.request === undefined ? {} : { request: input.request }),
      callFunction: input.callFunction,
    }),
    root: { __args: [...input.args] },
  };
  try {
    return await evaluateExpression(rewriteArgs(expression) as RuleExpression, context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      "FunctionExecutionError",
      `the can_evaluate expression of function '${name}' could not be evaluated: ${reason}`,
      { cause: error },
    );
  }
}

function rewriteArgs(value: unknown): unknown {
  if (typeof value === "string") return rewriteReference(value);
  if (Array.isArray(value)) return value.map(rewriteArgs);
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [rewriteReference(key), rewriteArgs(entry)]),
    );
  }
  return value;
}

function rewriteReference(text: string): string {
  return text === ARGS || text.startsWith(`${ARGS}.`)
    ? ARGS_IN_ROOT + text.slice(ARGS.length)
    : text;
}
