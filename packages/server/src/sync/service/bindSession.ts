/**
 * What `bind` settles before a session exists (contract rules 1, 2 and 9): the access token
 * re-checked, the client's schema checked (or, in development mode, its new types added), the
 * client file allocated or recognised (salt and owner checked, and not expired: offline for
 * longer than `client_max_offline_days`), and the caller's roles per table, fixed for the
 * session's life.
 */
import { SyncErrorCode, SyncProtocolError, type BindMessage } from "@atoll/protocol";
import type { Caller } from "../../auth/AuthService.js";
import { ruleContextFor } from "../../rules/RuleContext.js";
import type { ClientFileRecord } from "../history/clientFileRecords.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import {
  changedTables,
  readFingerprints,
  type ReadFingerprints,
} from "../permissions/readFingerprints.js";
import { checkClientSchema, readClientSchema } from "./clientSchema.js";
import type { SessionHost } from "./SessionHost.js";
import type { SyncService } from "./SyncService.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ClientFile {
  readonly ident: number;
  readonly salt: number;
}

export interface BoundFile {
  readonly caller: Caller;
  readonly file: ClientFile;
  readonly permissions: SessionPermissions;
  /** Highest client version of the file already integrated (re-sent uploads are skipped). */
  readonly integrated: number;
}

export async function bindSession(
  service: SyncService,
  host: SessionHost,
  message: BindMessage,
): Promise<BoundFile> {
  const caller = await reauthenticate(service, host.accessToken);
  await acceptClientSchema(service, caller.user.id, message.schema);
  const { file, integrated, known } = await clientFile(service, caller, message);
  if (message.clientFileIdent === null) {
    host.send({
      type: "ident",
      session: message.session,
      clientFileIdent: file.ident,
      salt: file.salt,
    });
  }
  const permissions = await SessionPermissions.start(
    service.rulesByTable(),
    ruleContextFor(service.config, caller.context, service.functionsFor(caller.context)),
  );
  await checkReadFilters(service, file, known, readFingerprints(permissions.readFilters()));
  await service.record({
    type: "sync",
    outcome: "ok",
    userId: caller.user.id,
    message: `sync session started for client file ${file.ident}`,
    details: { clientFileIdent: file.ident, newFile: message.clientFileIdent === null },
  });
  return { caller, file, permissions, integrated };
}

/**
 * Rule 9: the client's object schemas are checked against the app's, or in development mode
 * its new types are added. Atoll clients send them on bind, realm-core clients in uploads.
 */
export async function acceptClientSchema(
  service: SyncService,
  userId: string,
  schema: readonly Record<string, unknown>[],
): Promise<void> {
  if (!service.developmentMode) {
    checkClientSchema(readClientSchema(schema), service.model.schema);
    return;
  }
  const added = await service.addClientTypes(schema);
  if (added.length > 0) {
    await service.record({
      type: "sync",
      outcome: "ok",
      userId,
      message: `development mode: added object types ${added.join(", ")} to the synced schema`,
      details: { types: added },
    });
  }
}

async function reauthenticate(service: SyncService, accessToken: string): Promise<Caller> {
  try {
    return await service.auth.authenticate(accessToken);
  } catch (error) {
    throw new SyncProtocolError(
      SyncErrorCode.TokenExpired,
      `Access token is no longer valid: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function clientFile(
  service: SyncService,
  caller: Caller,
  message: BindMessage,
): Promise<{ file: ClientFile; integrated: number; known?: ClientFileRecord }> {
  if (message.clientFileIdent === null) {
    const file = await service.history.allocateFileIdent(caller.user.id, service.now());
    return { file, integrated: 0 };
  }
  const { ident, salt } = message.clientFileIdent;
  const known = await service.history.clientFile(ident);
  if (!known || known.salt !== salt) {
    throw new SyncProtocolError(
      SyncErrorCode.BadClientFileIdent,
      `Client file ${ident} is unknown to this server or its salt does not match`,
    );
  }
  if (known.userId !== caller.user.id) {
    throw new SyncProtocolError(
      SyncErrorCode.UserMismatch,
      `Client file ${ident} belongs to another user`,
    );
  }
  checkNotExpired(service, known);
  return { file: { ident, salt }, integrated: known.integratedClientVersion, known };
}

/**
 * The objects on a device were chosen by the read filters of its file's last session. When the
 * rules, or the user data they expand, now give a table another filter, the device may hold
 * objects it may no longer read (or lack ones it now may): it must reset, as on Atlas
 * (server_permissions_changed, 228). Otherwise the filters are recorded for the next session.
 */
async function checkReadFilters(
  service: SyncService,
  file: ClientFile,
  known: ClientFileRecord | undefined,
  now: ReadFingerprints,
): Promise<void> {
  const before = known?.readFingerprints;
  if (before) {
    const changed = changedTables(before, now);
    if (changed.length > 0)
      throw new SyncProtocolError(
        SyncErrorCode.ServerPermissionsChanged,
        `The permissions for ${changed.join(", ")} changed since client file ${file.ident} last synced (the rules, or the user data they use); the client must reset`,
      );
    if (Object.keys(now).every((table) => before[table] === now[table])) return;
  }
  await service.history.recordReadFingerprints(file.ident, now);
}

/**
 * A file offline for longer than the app allows may need history compaction already removed
 * (or soon will): it must reset, as on Atlas. Checked against its last-seen time as well as
 * the mark compaction leaves, so the answer does not depend on when compaction last ran.
 */
function checkNotExpired(service: SyncService, file: ClientFileRecord): void {
  const days = service.maxOfflineDays;
  if (days === undefined || file.lastSeen === undefined) return;
  const offline = service.now() - file.lastSeen;
  if (!file.expired && offline <= days * DAY_MS) return;
  throw new SyncProtocolError(
    SyncErrorCode.ClientFileExpired,
    `Client file ${file.ident} was last seen ${Math.floor(offline / DAY_MS)} days ago, more than the ${days} days client_max_offline_days allows; the client must reset`,
  );
}
