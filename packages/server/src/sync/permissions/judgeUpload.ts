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
import { replayOnDocument } from "../documentPatch.js";
import { groupByObject, type ObjectInstructions } from "../groupByObject.js";
import type { SessionPermissions } from "./SessionPermissions.js";

export interface Judgement {
  readonly allowed: Instruction[];
  readonly rejected: (RejectedUpdate & { readonly pk: PrimaryKey })[];
  /** Each object as the upload leaves it (on the documents it was judged on), by `objectKey`. */
  readonly after: ReadonlyMap<string, Document | undefined>;
  /** Every object the upload touches with its instructions (`groupByObject` of the upload). */
  readonly objects: ReadonlyMap<string, ObjectInstructions>;
  /** The objects of `allowed` (`groupByObject` of it, sharing `objects`' entries). */
  readonly allowedObjects: ReadonlyMap<string, ObjectInstructions>;
}

/** The object as the server has it; a promise only when it must be read. */
export type CurrentDocument = (
  table: string,
  pk: PrimaryKey,
  key: string,
  object: ObjectInstructions,
) => Document | undefined | Promise<Document | undefined>;

export async function judgeUpload(
  instructions: readonly Instruction[],
  permissions: SessionPermissions,
  queries: ReadonlyMap<string, readonly BoundQuery[]>,
  currentDocument: CurrentDocument,
  /** Tables written without a view (asymmetric: insert-only data ingest). */
  viewless: ReadonlySet<string> = new Set(),
): Promise<Judgement> {
  const byObject = groupByObject(instructions);
  const denied = new Map<string, string>();
  const afterByKey = new Map<string, Document | undefined>();
  for (const [key, object] of byObject) {
    const { table, pk, instructions: own } = object;
    const current = currentDocument(table, pk, key, object);
    const before = current instanceof Promise ? await current : current;
    // A write to an object erased concurrently, or inside a collection replaced concurrently,
    // is a conflict the integration settles, not a bad changeset: the replay passes it over.
    // So is a list position the server's list no longer has (concurrent erases or a clear):
    // the replay places it in the list as it is now, as the integration does.
    const after = replayOnDocument(before, own, { placed: true, passOver: true });
    afterByKey.set(key, after);
    if (before === undefined && after === undefined) continue; // created and erased again: nothing to judge
    const denial = permissions.denial(
      table,
      pk,
      before,
      after,
      queries.get(table) ?? [],
      !viewless.has(table),
    );
    const reason = denial instanceof Promise ? await denial : denial;
    if (reason !== undefined) denied.set(key, reason);
  }
  if (denied.size === 0)
    return {
      allowed: [...instructions],
      rejected: [],
      after: afterByKey,
      objects: byObject,
      allowedObjects: byObject,
    };
  const allowedObjects = new Map([...byObject].filter(([key]) => !denied.has(key)));
  const allowedSet = new Set<Instruction>();
  for (const { instructions: own } of allowedObjects.values())
    for (const instruction of own) allowedSet.add(instruction);
  return {
    allowed: instructions.filter((i) => allowedSet.has(i)),
    rejected: [...denied].map(([key, reason]) => {
      const { table, pk } = byObject.get(key)!;
      return { table, pk, reason };
    }),
    after: afterByKey,
    objects: byObject,
    allowedObjects,
  };
}
