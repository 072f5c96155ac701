/**
 * Field-level permissions of a role, applied after document-level ones. A role's document-
 * level `read` (or `write`, which implies read) that holds grants every field; otherwise each
 * field is governed by `fields.<name>` or, when unlisted, `additional_fields`; a field
 * permission's `read`/`write` default to false, `write` implies read, and nested `fields`
 * govern embedded documents. `_id` travels with any readable document.
 */
import { EJSON } from "bson";
import type { FieldPermissions, Role, RuleExpression } from "../config/types.js";
import type { Document } from "../data/types.js";
import { evaluateExpression } from "./evaluateExpression.js";
import type { RuleContext } from "./RuleContext.js";

type Scope = Pick<Role, "fields" | "additional_fields">;

async function holds(expr: RuleExpression | undefined, ctx: RuleContext): Promise<boolean> {
  return expr !== undefined && evaluateExpression(expr, ctx);
}

/** The document as the role may read it, or null when no part of it is readable. */
export async function revealFields(
  role: Role,
  doc: Document,
  ctx: RuleContext,
): Promise<Document | null> {
  const docCtx: RuleContext = { ...ctx, root: doc };
  if ((await holds(role.read, docCtx)) || (await holds(role.write, docCtx))) return doc;
  const revealed = await revealScope(role, doc, docCtx);
  if (revealed === null) return null;
  return "_id" in doc ? { _id: doc._id, ...revealed } : revealed;
}

async function revealScope(
  scope: Scope,
  doc: Document,
  ctx: RuleContext,
): Promise<Document | null> {
  const out: Document = {};
  let any = false;
  for (const [name, value] of Object.entries(doc)) {
    if (name === "_id") continue;
    const perm = permissionFor(scope, name);
    if (perm === undefined) continue;
    const fieldCtx: RuleContext = { ...ctx, this: value };
    if ((await holds(perm.read, fieldCtx)) || (await holds(perm.write, fieldCtx))) {
      out[name] = value;
      any = true;
    } else if (perm.fields !== undefined && isDocument(value)) {
      const nested = await revealScope({ fields: perm.fields }, value, ctx);
      if (nested !== null) {
        out[name] = nested;
        any = true;
      }
    }
  }
  return any ? out : null;
}

/**
 * Whether the role may turn `before` into `after` (either may be absent: insert, delete).
 * Document-level `write` that holds grants all; otherwise every field that differs must be
 * writable under its field permission.
 */
export async function mayWriteFields(
  role: Role,
  before: Document | undefined,
  after: Document | undefined,
  ctx: RuleContext,
): Promise<boolean> {
  const docCtx: RuleContext = {
    ...ctx,
    ...(after === undefined ? (before === undefined ? {} : { root: before }) : { root: after }),
    ...(before === undefined ? {} : { prevRoot: before }),
  };
  if (await holds(role.write, docCtx)) return true;
  if (role.fields === undefined && role.additional_fields === undefined) return false;
  return scopeWritable(role, before ?? {}, after ?? {}, docCtx);
}

async function scopeWritable(
  scope: Scope,
  before: Document,
  after: Document,
  ctx: RuleContext,
): Promise<boolean> {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const name of names) {
    if (name === "_id" || sameValue(before[name], after[name])) continue;
    const perm = permissionFor(scope, name);
    if (perm === undefined) return false;
    const fieldCtx: RuleContext = { ...ctx, this: after[name], prev: before[name] };
    if (await holds(perm.write, fieldCtx)) continue;
    const nestedOk =
      perm.fields !== undefined &&
      (isDocument(before[name]) || before[name] === undefined) &&
      (isDocument(after[name]) || after[name] === undefined) &&
      (await scopeWritable(
        { fields: perm.fields },
        asDocument(before[name]),
        asDocument(after[name]),
        ctx,
      ));
    if (!nestedOk) return false;
  }
  return true;
}

/** Own entries only: a document field named `toString` or `constructor` is an unlisted field. */
function permissionFor(scope: Scope, name: string): FieldPermissions | undefined {
  const listed =
    scope.fields !== undefined && Object.hasOwn(scope.fields, name)
      ? scope.fields[name]
      : undefined;
  return listed ?? scope.additional_fields;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    EJSON.stringify({ v: a }, { relaxed: false }) === EJSON.stringify({ v: b }, { relaxed: false })
  );
}

function isDocument(value: unknown): value is Document {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype
  );
}

function asDocument(value: unknown): Document {
  return isDocument(value) ? value : {};
}
