/**
 * Integrates one uploaded changeset of a session into history (contract rules 3 and 5):
 * decoded, judged per object against the session's roles and view, the allowed rest merged
 * and appended under the app's sync lock; rejected objects stay with the entry so its 231
 * report and correction reach the origin with the entry, even after a reconnect.
 */
import {
  ChangesetFormatError,
  decodeChangeset,
  SyncErrorCode,
  SyncProtocolError,
  type Instruction,
  type PrimaryKey,
  type RejectedUpdate,
  type UploadChangeset,
} from "@atoll/protocol";
import type { BoundQuery } from "@atoll/rql";
import type { RestoreObject } from "../history/corrections.js";
import { judgeUpload } from "../permissions/judgeUpload.js";
import type { SessionPermissions } from "../permissions/SessionPermissions.js";
import type { SyncService } from "./SyncService.js";

/** What integrating a changeset needs from its session. */
export interface UploadingSession {
  readonly fileIdent: number;
  readonly permissions: SessionPermissions;
  readonly queries: ReadonlyMap<string, readonly BoundQuery[]>;
  /** The origin's correction for one object (its whole state in the view, else its erasure). */
  readonly restore: RestoreObject;
}

export interface IntegratedChangeset {
  readonly rejected: readonly (RejectedUpdate & { readonly pk: PrimaryKey })[];
  /** The history version appended, undefined when nothing entered history. */
  readonly version: number | undefined;
}

export async function integrateChangeset(
  service: SyncService,
  session: UploadingSession,
  changeset: UploadChangeset,
): Promise<IntegratedChangeset> {
  const instructions = decode(changeset);
  return service.exclusive(async () => {
    // Judged and integrated on the same reads: one storage read per object.
    const reads = service.history.documentReads();
    const judgement = await judgeUpload(
      instructions,
      session.permissions,
      session.queries,
      async (table, pk) => (await reads.get(table, pk))?.doc,
      service.asymmetricTables,
    );
    const result = await service.history.integrate(
      session.fileIdent,
      {
        clientVersion: changeset.clientVersion,
        writer: {
          ts: changeset.originTimestamp,
          ident: session.fileIdent,
          baseVersion: Math.min(changeset.lastIntegratedServerVersion, service.entries.latest),
        },
        instructions: judgement.allowed,
      },
      {
        uploaded: instructions,
        restore: session.restore,
        rejected: judgement.rejected,
        recent: (after, limit) => service.entries.after(after, limit),
        reads,
        judged: judgement.after,
      },
    );
    if (result.entry !== undefined) await service.appended([result.entry]);
    return { rejected: judgement.rejected, version: result.version };
  });
}

function decode(changeset: UploadChangeset): Instruction[] {
  try {
    return decodeChangeset(changeset.changeset);
  } catch (error) {
    if (!(error instanceof ChangesetFormatError)) throw error;
    throw new SyncProtocolError(
      SyncErrorCode.BadChangeset,
      `Changeset of client version ${changeset.clientVersion} is malformed: ${error.message}`,
    );
  }
}
