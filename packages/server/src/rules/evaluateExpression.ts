/**
 * Evaluates a rule expression to a boolean: `apply_when`, `can_evaluate`, document-level and
 * field-level `read`/`write`/`insert`/`delete`. Bare keys and `%%root` refer to `ctx.root`
 * (an empty document when there is none).
 */
import type { RuleExpression } from "../config/types.js";
import { matches } from "../data/mql.js";
import { expandExpression } from "./expandFilter.js";
import type { RuleContext } from "./RuleContext.js";

export async function evaluateExpression(expr: RuleExpression, ctx: RuleContext): Promise<boolean> {
  if (typeof expr === "boolean") return expr;
  const filter = await expandExpression(expr, ctx, "document");
  return matches(ctx.root ?? {}, filter);
}
