/**
 * Splits an upload into the writes its session may make and the objects it may not touch.
 * Each object the upload touches is judged once, on its state before the upload (as the
 * server has it) and after (the upload's instructions replayed on it): a write that the role
 * forbids, or that leaves or lands outside the session's view, rejects every instruction on
 * that object, and nothing else. A rejected write never holds up the writes after it.
 */
import type { Instruction, PrimaryKey, RejectedUpdate } from "@atoll/protocol";
import type { BoundQuery } from "@atoll/rql";
import type { Document } from "../../data/types.js";
import { applyToDocument } from "../documentPatch.js";
import { groupByObject } from "../groupByObject.js";
import { objectKey } from "../merge/integrateUpload.js";
import type { SessionPermissions } from "./SessionPermissions.js";

export interface Judgement {
  readonly allowed: Instruction[];
  readonly rejected: (RejectedUpdate & { readonly pk: PrimaryKey })[];
  /** Each object as the upload leaves it (on the documents it was judged on), by `objectKey`. */
  readonly after: ReadonlyMap<string, Document | undefined>;
}

export async function judgeUpload(
  instructions: readonly Instruction[],
  permissions: SessionPermissions,
  queries: ReadonlyMap<string, readonly BoundQuery[]>,
  currentDocument: (table: string, pk: PrimaryKey) => Promise<Document | undefined>,
  /** Tables written without a view (asymmetric: insert-only data ingest). */
  viewless: ReadonlySet<string> = new Set(),
): Promise<Judgement> {
  const byObject = groupByObject(instructions);
  const denied = new Map<string, string>();
  const afterByKey = new Map<string, Document | undefined>();
  for (const [key, { table, pk, instructions: own }] of byObject) {
    const before = await currentDocument(table, pk);
    let after: Document | undefined = before;
    for (const instruction of own) {
      // A write to an object erased concurrently is a conflict the integration settles (erase
      // wins), not a bad changeset: there is nothing to judge it on.
      if (after === undefined && instruction.type !== "CreateObject") continue;
      after = applyToDocument(after, instruction);
    }
    afterByKey.set(key, after);
    if (before === undefined && after === undefined) continue; // created and erased again: nothing to judge
    const reason = await permissions.denial(
      table,
      pk,
      before,
      after,
      queries.get(table) ?? [],
      !viewless.has(table),
    );
    if (reason !== undefined) denied.set(key, reason);
  }
  return {
    allowed:
      denied.size === 0
        ? [...instructions]
        : instructions.filter((i) => !denied.has(objectKey(i.table, i.pk))),
    rejected: [...denied].map(([key, reason]) => {
      const { table, pk } = byObject.get(key)!;
      return { table, pk, reason };
    }),
    after: afterByKey,
  };
}
