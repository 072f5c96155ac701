/**
 * A collection's rules (roles + query filters) applied to one caller, as the data layer's
 * `AccessPolicy`. Reads: query filters whose `apply_when` holds are ANDed in; then, when the
 * role can be chosen without looking at documents (no role before it has a document-dependent
 * `apply_when`), its read document filter is ANDed in too (query rewriting); otherwise the
 * role is chosen per document. Writes: per document, as App Services does without Sync.
 */
import { AppError } from "@atoll/protocol";
import type { Role, RuleExpression, RuleSet } from "../config/types.js";
import type { AccessPolicy, ReadPlan } from "../data/AccessPolicy.js";
import type { Document } from "../data/types.js";
import { evaluateExpression } from "./evaluateExpression.js";
import { expandFilter, MATCH_NOTHING } from "./expandFilter.js";
import { mayWriteFields, revealFields } from "./fieldPermissions.js";
import type { RuleContext } from "./RuleContext.js";
import { referencesDocument, selectRoleForDocument } from "./selectRole.js";

/** The document filter that decides read access: `read`, or `write` (which implies read). */
export function readDocumentFilter(role: Role): RuleExpression {
  const read = role.document_filters?.read;
  const write = role.document_filters?.write;
  if (read === undefined || read === true || write === undefined || write === false)
    return read ?? true;
  if (read === false) return write;
  // The common owner pattern has identical filters; one keeps the rewritten query pushable.
  if (JSON.stringify(read) === JSON.stringify(write)) return read;
  return { "%or": [read, write] };
}

export class RulesPolicy implements AccessPolicy {
  readonly #roles: readonly Role[];

  constructor(
    private readonly ruleSet: RuleSet | undefined,
    private readonly ctx: RuleContext,
    private readonly namespace: string,
  ) {
    this.#roles = ruleSet?.roles ?? [];
  }

  async planRead(): Promise<ReadPlan> {
    const { filters, projection } = await this.#queryFilters();
    const fixed = await this.#roleWithoutDocument();
    if (fixed === "per-document") {
      return {
        filter: allOf(filters),
        ...(projection === undefined ? {} : { projection }),
        visible: async (doc) => (await this.#readableRole(doc)) !== null,
        reveal: async (doc) => {
          const role = await this.#readableRole(doc);
          return role === null ? null : revealFields(role, doc, this.ctx);
        },
      };
    }
    const role = fixed;
    const readFilter =
      role === null ? MATCH_NOTHING : await expandFilter(readDocumentFilter(role), this.ctx);
    return {
      filter: allOf([...filters, readFilter]),
      ...(projection === undefined ? {} : { projection }),
      visible: async () => role !== null,
      reveal: async (doc) => (role === null ? null : revealFields(role, doc, this.ctx)),
    };
  }

  async checkInsert(doc: Document): Promise<void> {
    const role = await this.#writableRole(undefined, doc, "insert");
    if (!(await mayWriteFields(role, undefined, doc, this.ctx))) this.#deny("insert", role, doc);
    if (
      role.insert !== undefined &&
      !(await evaluateExpression(role.insert, { ...this.ctx, root: doc }))
    ) {
      this.#deny("insert", role, doc);
    }
  }

  async checkUpdate(before: Document, after: Document): Promise<void> {
    const role = await this.#writableRole(before, after, "update");
    if (!(await mayWriteFields(role, before, after, this.ctx))) this.#deny("update", role, after);
  }

  async checkDelete(doc: Document): Promise<void> {
    const role = await this.#writableRole(doc, undefined, "delete");
    if (!(await mayWriteFields(role, doc, undefined, this.ctx))) this.#deny("delete", role, doc);
    if (
      role.delete !== undefined &&
      !(await evaluateExpression(role.delete, { ...this.ctx, root: doc }))
    ) {
      this.#deny("delete", role, doc);
    }
  }

  /** The role for a write whose write document filter admits the document before and after. */
  async #writableRole(
    before: Document | undefined,
    after: Document | undefined,
    action: string,
  ): Promise<Role> {
    const subject = (after ?? before)!;
    const role = await selectRoleForDocument(
      this.#roles,
      this.ctx,
      subject,
      after === undefined ? undefined : before,
    );
    if (role === null) {
      throw new AppError(
        "NoMatchingRuleFound",
        `no role allows ${action} in ${this.namespace} for this user`,
        {
          details: { action, namespace: this.namespace, _id: subject._id },
        },
      );
    }
    const writeFilter = role.document_filters?.write ?? true;
    // The document as it was must be writable too (judged as an unchanged document).
    const admitsBefore =
      before === undefined ||
      (await evaluateExpression(writeFilter, { ...this.ctx, root: before, prevRoot: before }));
    const admitsAfter =
      after === undefined ||
      (await evaluateExpression(writeFilter, {
        ...this.ctx,
        root: after,
        ...(before === undefined ? {} : { prevRoot: before }),
      }));
    if (!admitsBefore || !admitsAfter) this.#deny(action, role, subject);
    return role;
  }

  /** Per-document read: the document's role, if its read document filter admits the document. */
  async #readableRole(doc: Document): Promise<Role | null> {
    const role = await selectRoleForDocument(this.#roles, this.ctx, doc);
    if (role === null) return null;
    return (await evaluateExpression(readDocumentFilter(role), { ...this.ctx, root: doc }))
      ? role
      : null;
  }

  /** The first role that applies without a document, or "per-document" if that cannot be known. */
  async #roleWithoutDocument(): Promise<Role | null | "per-document"> {
    for (const role of this.#roles) {
      if (referencesDocument(role.apply_when)) return "per-document";
      if (await evaluateExpression(role.apply_when, this.ctx)) {
        return referencesPrevious(readDocumentFilter(role)) ? "per-document" : role;
      }
    }
    return null;
  }

  async #queryFilters(): Promise<{ filters: Document[]; projection: Document | undefined }> {
    const filters: Document[] = [];
    let projection: Document | undefined;
    for (const filter of this.ruleSet?.filters ?? []) {
      if (!(await evaluateExpression(filter.apply_when, this.ctx))) continue;
      if (filter.query !== undefined) filters.push(await expandFilter(filter.query, this.ctx));
      if (filter.projection !== undefined && Object.keys(filter.projection).length > 0) {
        projection = { ...projection, ...filter.projection };
      }
    }
    return { filters, projection };
  }

  #deny(action: string, role: Role, doc: Document): never {
    throw new AppError(
      "NoMatchingRuleFound",
      `role "${role.name}" does not allow ${action} of this document in ${this.namespace}`,
      {
        details: { action, role: role.name, namespace: this.namespace, _id: doc._id },
      },
    );
  }
}

/** `%%prevRoot`/`%%this`/`%%prev` have no meaning in a rewritten query. */
function referencesPrevious(expr: unknown): boolean {
  const text = JSON.stringify(expr);
  return text.includes('"%%prevRoot') || text.includes('"%%this') || text.includes('"%%prev');
}

function allOf(filters: readonly Document[]): Document {
  const useful = filters.filter((f) => Object.keys(f).length > 0);
  if (useful.length === 0) return {};
  return useful.length === 1 ? useful[0]! : { $and: useful };
}
