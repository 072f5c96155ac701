/**
 * A downloaded changeset that cannot be applied to the local realm (protocol error 212,
 * `bad_changeset`). The session reports it to the server; nothing of the download was applied.
 */
import { AtollError, SyncErrorCode } from "@atoll/protocol";
import type { Instruction } from "@atoll/protocol";

export class BadChangesetError extends AtollError<typeof SyncErrorCode.BadChangeset> {
  constructor(instruction: Instruction, reason: string) {
    const path = "path" in instruction ? instruction.path.join(".") : "";
    const pk = describePrimaryKey(instruction.pk);
    super(
      SyncErrorCode.BadChangeset,
      `Bad changeset: cannot apply ${instruction.type} to ${instruction.table}[${pk}]${path ? `.${path}` : ""}: ${reason}`,
      { details: { table: instruction.table, pk, path, instruction: instruction.type } },
    );
  }
}

function describePrimaryKey(pk: Instruction["pk"]): string {
  if (pk === null) return "null";
  if (typeof pk === "string") return JSON.stringify(pk);
  return pk.toString();
}
