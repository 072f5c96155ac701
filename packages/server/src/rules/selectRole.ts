/**
 * Role selection. Roles are tried in order; the first whose `apply_when` holds is the role,
 * and no match means no access (there is no fallback to the default rule, and no later role
 * is tried once one applies). For HTTP and function access App Services picks the role per
 * document, so `apply_when` may look at the document; sync picks once per session, without a
 * document (`selectRoleForSession`).
 */
import type { Role, RuleSet } from "../config/types.js";
import type { Document } from "../data/types.js";
import { evaluateExpression } from "./evaluateExpression.js";
import { isDocumentExpansion, isExpansion } from "./resolveExpansion.js";
import type { RuleContext } from "./RuleContext.js";

/** The first role whose `apply_when` holds without a document, or null. */
export async function selectRoleForSession(
  ruleSet: RuleSet | undefined,
  user: RuleContext["user"],
  ctx: Omit<RuleContext, "user" | "root" | "prevRoot">,
): Promise<Role | null> {
  for (const role of ruleSet?.roles ?? []) {
    if (await evaluateExpression(role.apply_when, { ...ctx, user })) return role;
  }
  return null;
}

/** The role for one document (`%%root` = the document after the change, if any). */
export async function selectRoleForDocument(
  roles: readonly Role[],
  ctx: RuleContext,
  doc: Document,
  prevDoc?: Document,
): Promise<Role | null> {
  const docCtx: RuleContext = {
    ...ctx,
    root: doc,
    ...(prevDoc === undefined ? {} : { prevRoot: prevDoc }),
  };
  for (const role of roles) {
    if (await evaluateExpression(role.apply_when, docCtx)) return role;
  }
  return null;
}

/**
 * Whether an expression depends on the document it is evaluated against: a bare field key,
 * or a `%%root`/`%%prevRoot`/`%%this`/`%%prev` expansion anywhere.
 */
export function referencesDocument(expr: unknown): boolean {
  if (typeof expr === "string") return isExpansion(expr) && isDocumentExpansion(expr);
  if (Array.isArray(expr)) return expr.some(referencesDocument);
  if (expr === null || typeof expr !== "object") return false;
  return Object.entries(expr).some(([key, operand]) => {
    if (key.startsWith("%%")) return isDocumentExpansion(key) || referencesDocument(operand);
    if (key.startsWith("%") || key.startsWith("$")) return referencesDocument(operand);
    return true;
  });
}
