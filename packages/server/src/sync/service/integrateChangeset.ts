/**
 * Integrates one uploaded changeset of a session into history (contract rules 3 and 5):
 * decoded, checked against the app's schema and the limits (`validateUpload`), judged per object against the session's roles and view, the allowed rest merged
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
import {
  PresumedAbsenceFailed,
  type IntegrateOptions,
  type IntegrationResult,
  type SyncHistory,
  type UploadedChangeset,
} from "../history/SyncHistory.js";
import { createsFresh } from "../merge/freshInserts.js";
import { isListInstruction } from "../merge/listTransform.js";
import { judgeUpload, type Judgement } from "../permissions/judgeUpload.js";
import type { SessionPermissions } from "../permissions/SessionPermissions.js";
import { checkListLengths } from "../upload/listLengths.js";
import { syncLimits, type SyncLimits } from "../upload/syncLimits.js";
import { validateUpload } from "../upload/validateUpload.js";
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
  const limits = syncLimits(service.options.limits);
  validateUpload(
    instructions,
    { model: service.model, developmentMode: service.developmentMode, limits },
    changeset.clientVersion,
  );
  const started = performance.now();
  const integrated = await service.exclusive(async () => {
    checkBaseNotCompacted(service.history.floor, changeset, instructions);
    await service.knowVersion(changeset.lastIntegratedServerVersion);
    const { rejected, result } = await judgeAndIntegrate(
      service.history,
      session,
      {
        clientVersion: changeset.clientVersion,
        writer: {
          ts: changeset.originTimestamp,
          ident: session.fileIdent,
          baseVersion: Math.min(changeset.lastIntegratedServerVersion, service.entries.latest),
        },
        instructions,
      },
      {
        viewless: service.asymmetricTables,
        recent: (after, limit) => service.entries.after(after, limit),
        limits,
      },
    );
    if (result.entry !== undefined) await service.appended([result.entry]);
    return { rejected, version: result.version };
  });
  service.metrics.integrated((performance.now() - started) / 1000);
  return integrated;
}

/** What `judgeAndIntegrate` needs besides the upload. */
export interface JudgeContext {
  /** Tables written without a view (asymmetric). */
  readonly viewless: ReadonlySet<string>;
  readonly recent?: IntegrateOptions["recent"];
  /** false: read every object (the general way) rather than presume fresh creates absent. */
  readonly presume?: boolean;
  /** Bounds the lists the upload may grow (none when absent). */
  readonly limits?: SyncLimits;
}

/**
 * Judges an upload and integrates its allowed rest (to be called under the app's sync lock).
 * Judging and integration share one read per object, and none for an object an upload creates
 * fresh in an asymmetric table: that one is presumed absent (data ingest creates new objects).
 * When it was not (its insert fails) or a presumed object is rejected (its judgement may
 * depend on what is stored), the whole changeset is judged and integrated again on reads.
 */
export async function judgeAndIntegrate(
  history: SyncHistory,
  session: UploadingSession,
  upload: UploadedChangeset,
  context: JudgeContext,
): Promise<{ rejected: Judgement["rejected"]; result: IntegrationResult }> {
  if (context.presume !== false) {
    try {
      return await judgeAndIntegrateOn(history, session, upload, context, true);
    } catch (error) {
      if (!(error instanceof PresumedAbsenceFailed)) throw error;
    }
  }
  return judgeAndIntegrateOn(history, session, upload, context, false);
}

async function judgeAndIntegrateOn(
  history: SyncHistory,
  session: UploadingSession,
  upload: UploadedChangeset,
  context: JudgeContext,
  presume: boolean,
): Promise<{ rejected: Judgement["rejected"]; result: IntegrationResult }> {
  const reads = history.documentReads();
  const judgement = await judgeUpload(
    upload.instructions,
    session.permissions,
    session.queries,
    (table, pk, key, object) =>
      presume && createsFresh(object.instructions) && reads.presumeAbsent(table, key)
        ? undefined
        : reads.get(table, pk, key).then((stored) => stored?.doc),
    context.viewless,
  );
  if (context.limits)
    checkListLengths(
      judgement.allowedObjects,
      judgement.after,
      context.limits,
      upload.clientVersion,
    );
  if (reads.presumedAbsence && judgement.rejected.length > 0)
    throw new PresumedAbsenceFailed(undefined);
  const result = await history.integrate(
    session.fileIdent,
    { ...upload, instructions: judgement.allowed },
    {
      uploaded: upload.instructions,
      restore: session.restore,
      rejected: judgement.rejected,
      ...(context.recent ? { recent: context.recent } : {}),
      reads,
      judged: judgement.after,
      grouped: { uploaded: judgement.objects, integrated: judgement.allowedObjects },
      ...(context.limits ? { maxListTransformSteps: context.limits.maxListTransformSteps } : {}),
    },
  );
  // A re-upload (integrated before) rejects nothing: it is not integrated at all.
  return { rejected: result.version === undefined ? [] : judgement.rejected, result };
}

/**
 * List positions are merged through the history after the changeset's base (the only part of
 * a merge that reads history; everything else goes by per-object clocks, which compaction
 * leaves alone). When that history was compacted the changeset cannot be merged: the client
 * must reset. Uploads without list changes merge whatever their base, so a device that just
 * reset never loops on changes it made before its fresh copy arrived.
 */
function checkBaseNotCompacted(
  floor: number,
  changeset: UploadChangeset,
  instructions: readonly Instruction[],
): void {
  const base = changeset.lastIntegratedServerVersion;
  if (base >= floor || !instructions.some(isListInstruction)) return;
  throw new SyncProtocolError(
    SyncErrorCode.ClientFileExpired,
    `Changeset of client version ${changeset.clientVersion} is based on server version ${base}, but history before server version ${floor + 1} was compacted; the client must reset`,
  );
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
