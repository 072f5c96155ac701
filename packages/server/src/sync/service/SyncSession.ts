/**
 * One bound session of a client file: its identity, its role per table (fixed at bind), its
 * subscription set and view, and its download cursor. Every message of the session and every
 * wake-up after new history runs in the connection's one queue, so messages are handled
 * strictly in order and downloads leave from one pump: a 231 error always precedes the
 * download that carries its correction, a mark follows everything it covers.
 */
import {
  BatchState,
  ChangesetFormatError,
  decodeChangeset,
  encodeChangeset,
  SyncErrorCode,
  SyncProtocolError,
  type BindMessage,
  type ClientIdentMessage,
  type DownloadChangeset,
  type DownloadMessage,
  type Instruction,
  type PrimaryKey,
  type QueryMessage,
  type ServerMessage,
  type UploadMessage,
} from "@atoll/protocol";
import type { Caller } from "../../auth/AuthService.js";
import type { Document } from "../../data/types.js";
import { ruleContextFor } from "../../rules/RuleContext.js";
import { viewChanges, type ViewQueries } from "../bootstrap/viewChanges.js";
import { instructionsForDocument } from "../documentInstructions.js";
import { SERVER_FILE_IDENT } from "../history/SyncHistory.js";
import { judgeUpload } from "../permissions/judgeUpload.js";
import { SessionPermissions } from "../permissions/SessionPermissions.js";
import { checkClientSchema, readClientSchema } from "./clientSchema.js";
import { compensatingWriteError, compensatingWriteLogEntry } from "./compensatingWrite.js";
import { changesetForSession, erase, type SessionView } from "./entryForSession.js";
import { bindQuerySet } from "./sessionQueries.js";
import type { LiveSession, SyncService } from "./SyncService.js";

/** Entries read per step of a catch-up (one download message at most per step). */
const CATCH_UP_STEP = 500;

export interface SessionHost {
  send(message: ServerMessage): void;
  /** Runs `task` in the connection's queue, after everything queued before it. */
  enqueue(task: () => Promise<void>): void;
  /** The connection's access token, re-checked on bind. */
  readonly accessToken: string;
}

export class SyncSession implements LiveSession {
  private phase: "awaitingIdent" | "active" | "ended" = "awaitingIdent";
  private queries: ViewQueries = new Map();
  private queryVersion = 0;
  /** The server version the client has everything up to (as far as this session has sent). */
  private cursor = 0;
  /** The highest of this file's client versions integrated at or before `cursor`. */
  private lastIntegratedClientVersion = 0;
  private sent = { cursor: -1, clientVersion: -1 };
  /** Highest client version integrated (uploads at or below are re-sends, skipped). */
  private integrated: number;
  private uploadBase = 0;
  private wakeQueued = false;

  private constructor(
    private readonly service: SyncService,
    private readonly host: SessionHost,
    readonly id: number,
    readonly caller: Caller,
    readonly file: { readonly ident: number; readonly salt: number },
    private readonly permissions: SessionPermissions,
    integrated: number,
  ) {
    this.integrated = integrated;
  }

  /** Handles `bind`: token re-check, schema check (rule 9), file identity, roles. */
  static async bind(
    service: SyncService,
    host: SessionHost,
    message: BindMessage,
  ): Promise<SyncSession> {
    let caller: Caller;
    try {
      caller = await service.auth.authenticate(host.accessToken);
    } catch (error) {
      throw new SyncProtocolError(
        SyncErrorCode.TokenExpired,
        `Access token is no longer valid: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const classes = readClientSchema(message.schema);
    if (service.developmentMode) {
      const added = service.addClientTypes(classes);
      if (added.length > 0) {
        await service.record({
          type: "sync",
          outcome: "ok",
          userId: caller.user.id,
          message: `development mode: added object types ${added.join(", ")} to the synced schema`,
          details: { types: added },
        });
      }
    } else {
      checkClientSchema(classes, service.model.schema);
    }
    const file = await SyncSession.clientFile(service, caller, message);
    if (message.clientFileIdent === null) {
      host.send({
        type: "ident",
        session: message.session,
        clientFileIdent: file.identity.ident,
        salt: file.identity.salt,
      });
    }
    const permissions = await SessionPermissions.start(
      service.rulesByTable(),
      ruleContextFor(service.config, caller.context),
    );
    const session = new SyncSession(
      service,
      host,
      message.session,
      caller,
      file.identity,
      permissions,
      file.integrated,
    );
    await service.record({
      type: "sync",
      outcome: "ok",
      userId: caller.user.id,
      message: `sync session started for client file ${file.identity.ident}`,
      details: { clientFileIdent: file.identity.ident, newFile: message.clientFileIdent === null },
    });
    return session;
  }

  private static async clientFile(
    service: SyncService,
    caller: Caller,
    message: BindMessage,
  ): Promise<{ identity: { ident: number; salt: number }; integrated: number }> {
    if (message.clientFileIdent === null) {
      const identity = await service.history.allocateFileIdent(caller.user.id);
      return { identity, integrated: 0 };
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
    return { identity: { ident, salt }, integrated: known.integratedClientVersion };
  }

  /** New history exists: catch up behind whatever is queued (at most one pending wake-up). */
  wake(): void {
    if (this.wakeQueued || this.phase !== "active") return;
    this.wakeQueued = true;
    this.host.enqueue(async () => {
      this.wakeQueued = false;
      if (this.phase === "active") await this.catchUp();
    });
  }

  terminate(): void {
    this.end();
  }

  /** Ends the session (unbind, connection closed, fatal error). */
  end(): void {
    if (this.phase === "ended") return;
    this.phase = "ended";
    this.service.remove(this);
    this.service.recordInBackground({
      type: "sync",
      outcome: "ok",
      userId: this.caller.user.id,
      message: `sync session ended for client file ${this.file.ident}`,
      details: { clientFileIdent: this.file.ident },
    });
  }

  get ended(): boolean {
    return this.phase === "ended";
  }

  async ident(message: ClientIdentMessage): Promise<void> {
    if (this.phase !== "awaitingIdent") this.outOfOrder("ident");
    if (message.clientFileIdent !== this.file.ident || message.salt !== this.file.salt) {
      throw new SyncProtocolError(
        SyncErrorCode.BadClientFileIdent,
        `ident names client file ${message.clientFileIdent}, but the session is bound to ${this.file.ident}`,
      );
    }
    const latest = this.service.entries.latest;
    if (message.download.serverVersion > latest) {
      throw new SyncProtocolError(
        SyncErrorCode.BadServerVersion,
        `The client has server version ${message.download.serverVersion}, but the server's history ends at ${latest}`,
      );
    }
    this.cursor = message.download.serverVersion;
    this.lastIntegratedClientVersion = message.download.lastIntegratedClientVersion;
    this.queryVersion = message.queryVersion;
    try {
      this.queries = bindQuerySet(this.service.model, this.service.queryable, message.query);
    } catch (error) {
      await this.refuseQuery(message.queryVersion, error);
    }
    this.phase = "active";
    this.service.add(this);
    await this.catchUp(true);
  }

  /** A new subscription set: everything so far under the old view, then the view difference. */
  async query(message: QueryMessage): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("query");
    let next: ViewQueries;
    try {
      next = bindQuerySet(this.service.model, this.service.queryable, message.query);
    } catch (error) {
      await this.refuseQuery(message.queryVersion, error);
      return;
    }
    await this.service.scanExclusive(async () => {
      await this.catchUp();
      await this.bootstrap(message.queryVersion, next);
    });
  }

  private async bootstrap(queryVersion: number, next: ViewQueries): Promise<void> {
    const batches = viewChanges({
      storage: this.service.storage,
      model: this.service.model,
      permissions: this.permissions,
      before: this.queries,
      after: next,
      batchSize: this.service.bootstrapBatchSize,
    });
    let pending: Instruction[] | undefined;
    const send = (instructions: Instruction[], batchState: BatchState) =>
      this.sendDownload(
        instructions.length === 0 ? [] : [this.serverChangeset(this.cursor, instructions)],
        { queryVersion, batchState },
      );
    for await (const batch of batches) {
      if (pending) send(pending, BatchState.MoreToCome);
      pending = batch.instructions;
    }
    send(pending ?? [], BatchState.LastInBatch);
    this.queries = next;
    this.queryVersion = queryVersion;
  }

  async upload(message: UploadMessage): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("upload");
    for (const changeset of message.changesets) {
      if (changeset.clientVersion <= this.integrated) continue; // re-sent after a reconnect
      let instructions: Instruction[];
      try {
        instructions = decodeChangeset(changeset.changeset);
      } catch (error) {
        if (!(error instanceof ChangesetFormatError)) throw error;
        throw new SyncProtocolError(
          SyncErrorCode.BadChangeset,
          `Changeset of client version ${changeset.clientVersion} is malformed: ${error.message}`,
        );
      }
      const { rejected, version } = await this.service.exclusive(async () => {
        const judgement = await judgeUpload(
          instructions,
          this.permissions,
          this.queries,
          (table, pk) => this.currentDocument(table, pk),
          this.service.asymmetricTables,
        );
        const result = await this.service.history.integrate(
          this.file.ident,
          {
            clientVersion: changeset.clientVersion,
            writer: {
              ts: changeset.originTimestamp,
              ident: this.file.ident,
              baseVersion: Math.min(
                changeset.lastIntegratedServerVersion,
                this.service.entries.latest,
              ),
            },
            instructions: judgement.allowed,
          },
          {
            uploaded: instructions,
            restore: (table, pk, after) => this.restore(table, pk, after),
            rejected: judgement.rejected,
          },
        );
        if (result.version !== undefined) await this.service.appended();
        return { rejected: judgement.rejected, version: result.version };
      });
      this.integrated = Math.max(this.integrated, changeset.clientVersion);
      this.uploadBase = changeset.lastIntegratedServerVersion;
      // The 231 report itself goes out with the entry (catchUp), so a lost connection cannot lose it.
      if (rejected.length > 0 && version !== undefined)
        await this.service.record(compensatingWriteLogEntry(this.caller.user.id, rejected));
    }
    await this.catchUp();
  }

  /** Answers once everything up to the latest version known now has been sent. */
  async mark(requestId: number): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("mark");
    await this.catchUp(true);
    this.host.send({ type: "mark", session: this.id, requestId });
  }

  private outOfOrder(type: string): never {
    throw new SyncProtocolError(
      SyncErrorCode.BadMessageOrder,
      `'${type}' is not allowed ${this.phase === "awaitingIdent" ? "before 'ident'" : "now"} in session ${this.id}`,
    );
  }

  private async refuseQuery(queryVersion: number, error: unknown): Promise<void> {
    if (!(error instanceof SyncProtocolError)) throw error;
    this.host.send({
      type: "queryError",
      session: this.id,
      queryVersion,
      code: error.code,
      message: error.message,
    });
    await this.service.record({
      type: "sync",
      outcome: "error",
      userId: this.caller.user.id,
      message: `${error.message} (ProtocolErrorCode=${error.code})`,
      details: { queryVersion, ...(error.details ?? {}) },
    });
  }

  /**
   * Sends every entry after the cursor, filtered for this view. `always`: send a download
   * even when nothing is left of the entries, so the client's cursors advance.
   */
  private async catchUp(always = false): Promise<void> {
    const view = this.view();
    for (;;) {
      const entries = await this.service.entries.after(this.cursor, CATCH_UP_STEP);
      if (entries.length === 0) break;
      let changesets: DownloadChangeset[] = [];
      for (const entry of entries) {
        const own = entry.originIdent === this.file.ident;
        if (own && entry.rejected.length > 0) {
          // Rule 5: the report comes before the download that carries the entry's correction.
          if (changesets.length > 0) this.sendDownload(changesets);
          changesets = [];
          this.host.send(
            compensatingWriteError(this.id, entry.rejected, entry.clientVersion, entry.version),
          );
        }
        if (own) this.lastIntegratedClientVersion = entry.clientVersion;
        const changeset = changesetForSession(entry, view);
        this.cursor = entry.version;
        if (changeset === undefined) continue;
        changesets.push({
          serverVersion: entry.version,
          lastIntegratedClientVersion: this.lastIntegratedClientVersion,
          originTimestamp: entry.originTimestamp,
          originFileIdent: own ? SERVER_FILE_IDENT : entry.originIdent,
          changeset,
        });
      }
      if (changesets.length > 0 || this.lastIntegratedClientVersion > this.sent.clientVersion)
        this.sendDownload(changesets);
    }
    if (always && this.cursor !== this.sent.cursor) this.sendDownload([]);
  }

  private sendDownload(
    changesets: DownloadChangeset[],
    batch: { queryVersion: number; batchState: BatchState } = {
      queryVersion: this.queryVersion,
      batchState: BatchState.SteadyState,
    },
  ): void {
    const latest = this.service.entries.latest;
    const message: DownloadMessage = {
      type: "download",
      session: this.id,
      download: {
        serverVersion: this.cursor,
        lastIntegratedClientVersion: this.lastIntegratedClientVersion,
      },
      upload: {
        clientVersion: this.lastIntegratedClientVersion,
        lastIntegratedServerVersion: this.uploadBase,
      },
      latestServerVersion: { version: latest, salt: 0 },
      queryVersion: batch.queryVersion,
      batchState: batch.batchState,
      progressEstimate: latest === 0 ? 1 : Math.min(1, this.cursor / latest),
      changesets,
    };
    this.sent = { cursor: this.cursor, clientVersion: this.lastIntegratedClientVersion };
    this.host.send(message);
  }

  private serverChangeset(serverVersion: number, instructions: Instruction[]): DownloadChangeset {
    return {
      serverVersion,
      lastIntegratedClientVersion: this.lastIntegratedClientVersion,
      originTimestamp: Date.now(),
      originFileIdent: SERVER_FILE_IDENT,
      changeset: encodeChangeset(instructions),
    };
  }

  private view(): SessionView {
    const { schema } = this.service.model;
    return {
      clientFileIdent: this.file.ident,
      schema,
      inView: (table, doc) => this.inView(table, doc),
    };
  }

  private inView(table: string, doc: Document): boolean {
    const queries = this.queries.get(table);
    return queries !== undefined && this.permissions.inView(table, doc, queries);
  }

  /** The origin's correction for one object: its whole state in this view, else its erasure. */
  private restore(table: string, pk: PrimaryKey, after: Document | undefined): Instruction[] {
    if (after !== undefined && this.service.model.schema[table] && this.inView(table, after))
      return instructionsForDocument(this.service.model.schema, table, after);
    return [erase(table, pk)];
  }

  private async currentDocument(table: string, pk: PrimaryKey): Promise<Document | undefined> {
    const synced = this.service.model.tables.get(table);
    if (!synced) return undefined;
    const stored = await this.service.storage.get(
      { db: synced.database, coll: synced.collection },
      pk,
    );
    return stored?.doc;
  }
}
