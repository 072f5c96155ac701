/**
 * What one sync session may see and write, fixed at session start as App Services does: per
 * synced type, the first role whose `apply_when` holds (evaluated without a document), with
 * its expansions (`%%user`, `%%values`, `%%environment`) captured then. A session's view of a
 * type is the union of its subscription queries, ANDed with the role's read filter.
 *
 * Uploaded writes are judged per object: first the role (write filter on the object before and
 * after, `insert`, `delete`), then the view. The reasons are Atlas' wording, which clients and
 * operators see in compensating-write errors and logs.
 */
import { evaluate, type BoundQuery } from "@atoll/rql";
import type { Role, RuleExpression, RuleSet } from "../../config/types.js";
import type { Document } from "../../data/types.js";
import { compileFilter } from "../../data/mql.js";
import { evaluateExpression } from "../../rules/evaluateExpression.js";
import { expandFilter, MATCH_NOTHING } from "../../rules/expandFilter.js";
import type { RuleContext } from "../../rules/RuleContext.js";
import { readDocumentFilter } from "../../rules/RulesPolicy.js";
import { selectRoleForSession } from "../../rules/selectRole.js";
import { describePrimaryKey } from "./describePrimaryKey.js";

export interface TableAccess {
  readonly role: Role | null;
  /** MQL with expansions substituted; MATCH_NOTHING when the role cannot read. */
  readonly readFilter: Document;
  readonly writeFilter: Document;
  /** The filters compiled once per session: views are evaluated for every change fanned out. */
  readonly canRead: (doc: Document) => boolean;
  readonly canWrite: (doc: Document) => boolean;
  /** The role's `insert` / `delete` gate: a constant when it needs no document. */
  readonly insertGate: Gate;
  readonly deleteGate: Gate;
}

/** Whether a kind of write may be made: known once per session, or per document. */
type Gate = boolean | ((root: Document) => Promise<boolean>);

export type WriteKind = "insert" | "update" | "delete";

export class SessionPermissions {
  private constructor(
    private readonly access: Map<string, TableAccess>,
    private readonly ctx: RuleContext,
  ) {}

  /** Chooses each table's role and expands its filters for the session's user. */
  static async start(
    rulesByTable: ReadonlyMap<string, RuleSet | undefined>,
    ctx: RuleContext,
  ): Promise<SessionPermissions> {
    const permissions = new SessionPermissions(new Map(), ctx);
    await permissions.cover(rulesByTable);
    return permissions;
  }

  /**
   * Chooses roles for the tables the session has none for yet: types development mode added
   * after the session started (a realm-core device sends its schema after binding). The
   * roles of the other tables stay as they were chosen at start.
   */
  async cover(rulesByTable: ReadonlyMap<string, RuleSet | undefined>): Promise<void> {
    const ctx = this.ctx;
    for (const [table, ruleSet] of rulesByTable) {
      if (this.access.has(table)) continue;
      const role = await selectRoleForSession(ruleSet, ctx.user, ctx);
      const canRead = role !== null && (role.read === true || role.write === true);
      const canWrite = role !== null && role.write === true;
      const readFilter = canRead
        ? await expandFilter(readDocumentFilter(role), ctx)
        : MATCH_NOTHING;
      const writeFilter = canWrite
        ? await expandFilter(role.document_filters?.write ?? false, ctx)
        : MATCH_NOTHING;
      this.access.set(table, {
        role,
        readFilter,
        writeFilter,
        canRead: compileFilter(readFilter),
        canWrite: compileFilter(writeFilter),
        insertGate: gateOf(role?.insert, ctx),
        deleteGate: gateOf(role?.delete, ctx),
      });
    }
  }

  tableAccess(table: string): TableAccess | undefined {
    return this.access.get(table);
  }

  /** Each table's read filter as expanded for this session (MATCH_NOTHING when unreadable). */
  readFilters(): Map<string, Document> {
    return new Map([...this.access].map(([table, access]) => [table, access.readFilter]));
  }

  /** Whether `doc` is in the view given by the session's subscription queries for its table. */
  inView(table: string, doc: Document, queries: readonly BoundQuery[]): boolean {
    const access = this.access.get(table);
    if (!access?.canRead(doc)) return false;
    return queries.some((query) => evaluate(query, doc));
  }

  /**
   * Why the write may not be made, or undefined when it may. `before` is the object as the
   * server has it, `after` as the upload leaves it (undefined for a delete). `checkView`
   * false skips the view check (data ingest into asymmetric tables needs no subscription).
   * A promise only when the role's `insert`/`delete` gate depends on the document.
   */
  denial(
    table: string,
    pk: unknown,
    before: Document | undefined,
    after: Document | undefined,
    queries: readonly BoundQuery[],
    checkView = true,
  ): string | undefined | Promise<string | undefined> {
    const access = this.access.get(table);
    if (!access?.role) return `${writeTo(pk, table)} not allowed; no role applies to the user`;
    const { role, canWrite } = access;
    if ((before && !canWrite(before)) || (after && !canWrite(after)))
      return deniedBy(pk, table, "write filter", role);
    const subject = after ?? before!;
    const kind: WriteKind =
      before === undefined ? "insert" : after === undefined ? "delete" : "update";
    const gate =
      kind === "insert" ? access.insertGate : kind === "delete" ? access.deleteGate : true;
    if (gate === true) return this.viewDenial(table, pk, subject, queries, checkView);
    if (gate === false) return deniedBy(pk, table, `${kind} permission`, role);
    return gate(subject).then((allowed) =>
      allowed
        ? this.viewDenial(table, pk, subject, queries, checkView)
        : deniedBy(pk, table, `${kind} permission`, role),
    );
  }

  private viewDenial(
    table: string,
    pk: unknown,
    subject: Document,
    queries: readonly BoundQuery[],
    checkView: boolean,
  ): string | undefined {
    return checkView && !this.inView(table, subject, queries)
      ? `${writeTo(pk, table)} not allowed; object is outside of the current query view`
      : undefined;
  }
}

/** The start of every denial reason (built only when denying). */
function writeTo(pk: unknown, table: string): string {
  return `write to "${describePrimaryKey(pk)}" in table "${table}"`;
}

function deniedBy(pk: unknown, table: string, what: string, role: Role): string {
  return `${writeTo(pk, table)} was denied by ${what} in role "${role.name}"`;
}
/** An absent or constant gate is settled once; any other is evaluated on each document. */
function gateOf(expression: RuleExpression | undefined, ctx: RuleContext): Gate {
  if (expression === undefined) return true;
  if (typeof expression === "boolean") return expression;
  return (root) => evaluateExpression(expression, { ...ctx, root });
}
