/**
 * One bound session of a client file: its identity, its role per table (fixed at bind), its
 * subscription set and view, and the order of its messages. Every message of the session and
 * every wake-up after new history runs in the connection's one queue, so messages are handled
 * strictly in order and downloads leave from one pump (`DownloadPump`): a 231 error always
 * precedes the download that carries its correction, a mark follows everything it covers.
 * Binding lives in `bindSession`, upload integration in `integrateChangeset`.
 */
import {
  SyncErrorCode,
  SyncProtocolError,
  type BindMessage,
  type ClientIdentMessage,
  type Instruction,
  type PrimaryKey,
  type QueryMessage,
  type UploadMessage,
} from "@atoll/protocol";
import type { Caller } from "../../auth/AuthService.js";
import type { Document } from "../../data/types.js";
import { changedTables, viewChanges, type ViewQueries } from "../bootstrap/viewChanges.js";
import { takeViewSnapshot, type ViewSnapshot } from "../bootstrap/ViewSnapshot.js";
import { instructionsForDocument } from "../documentInstructions.js";
import type { SyncEntry } from "../history/historyEntries.js";
import type { SessionPermissions } from "../permissions/SessionPermissions.js";
import { bindSession, type ClientFile } from "./bindSession.js";
import { compensatingWriteLogEntry } from "./compensatingWrite.js";
import { DownloadPump, type CatchUpView } from "./DownloadPump.js";
import { erase } from "./entryForSession.js";
import { entryConcerns } from "./FanOut.js";
import { integrateChangeset } from "./integrateChangeset.js";
import { bindQuerySet } from "./sessionQueries.js";
import type { LiveSession, SyncService } from "./SyncService.js";
import type { SessionHost } from "./SessionHost.js";

export class SyncSession implements LiveSession {
  private phase: "awaitingIdent" | "active" | "ended" = "awaitingIdent";
  private queries: ViewQueries = new Map();
  private readonly downloads: DownloadPump;
  /** Highest client version integrated (uploads at or below are re-sends, skipped). */
  private integrated: number;
  private wakeQueued = false;
  /** Tables of the newest subscription set bound (history on them wakes the session while it bootstraps). */
  private subscribing: ReadonlySet<string> = new Set();
  /** The download cursor the client last reported (ident, upload progress): what compaction trusts. */
  private reportedDownload: number | undefined;

  private constructor(
    private readonly service: SyncService,
    private readonly host: SessionHost,
    readonly id: number,
    readonly caller: Caller,
    readonly file: ClientFile,
    private readonly permissions: SessionPermissions,
    integrated: number,
  ) {
    this.integrated = integrated;
    this.downloads = new DownloadPump(service.entries, host, id);
  }

  /** Handles `bind`: token re-check, schema check (rule 9), file identity, roles. */
  static async bind(
    service: SyncService,
    host: SessionHost,
    message: BindMessage,
  ): Promise<SyncSession> {
    const bound = await bindSession(service, host, message);
    return new SyncSession(
      service,
      host,
      message.session,
      bound.caller,
      bound.file,
      bound.permissions,
      bound.integrated,
    );
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

  concerns(entry: SyncEntry): boolean {
    return entryConcerns(
      entry,
      this.file.ident,
      (table) => this.queries.has(table) || this.subscribing.has(table),
    );
  }

  /** Records durably that the file was connected at `now`, with the cursor it last reported. */
  touch(now: number): Promise<void> {
    return this.service.history.recordSeen(this.file.ident, {
      at: now,
      ...(this.reportedDownload === undefined ? {} : { downloadVersion: this.reportedDownload }),
    });
  }

  /** Ends the session (unbind, connection closed, fatal error). */
  end(): void {
    if (this.phase === "ended") return;
    const identified = this.phase === "active";
    this.phase = "ended";
    this.service.remove(this);
    if (identified) {
      const now = this.service.now();
      this.service.touchInBackground(() => this.touch(now));
    }
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
    // A cursor another node gave may be ahead of what this node has read yet.
    if (message.download.serverVersion > this.service.entries.latest)
      await this.service.followStorage();
    const latest = this.service.entries.latest;
    if (message.download.serverVersion > latest) {
      throw new SyncProtocolError(
        SyncErrorCode.BadServerVersion,
        `The client has server version ${message.download.serverVersion}, but the server's history ends at ${latest}`,
      );
    }
    this.checkNotCompacted(message);
    this.reportedDownload = message.download.serverVersion;
    await this.touch(this.service.now());
    this.downloads.cursor = message.download.serverVersion;
    this.downloads.lastIntegratedClientVersion = message.download.lastIntegratedClientVersion;
    this.downloads.queryVersion = message.queryVersion;
    try {
      this.queries = bindQuerySet(this.service.model, this.service.queryable, message.query);
    } catch (error) {
      await this.refuseQuery(message.queryVersion, error);
    }
    this.phase = "active";
    this.service.add(this);
    await this.catchUp(true);
  }

  /**
   * A new subscription set: everything so far under the old view, then the view difference at
   * that version (rule 6). Only the catch-up's last steps and the snapshot hold the app's sync
   * lock; the batches are built and sent after it is released, and what was appended meanwhile
   * follows as ordinary catch-up under the new view (this session's queue runs it next).
   */
  async query(message: QueryMessage): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("query");
    if (this.service.developmentMode) await this.permissions.cover(this.service.rulesByTable());
    let next: ViewQueries;
    try {
      next = bindQuerySet(this.service.model, this.service.queryable, message.query);
    } catch (error) {
      await this.refuseQuery(message.queryVersion, error);
      return;
    }
    this.subscribing = new Set(next.keys());
    await this.catchUp();
    const snapshot = await this.service.scanExclusive(async () => {
      await this.catchUp();
      const { storage, model } = this.service;
      const tables = changedTables(this.queries, next);
      return takeViewSnapshot(storage, model, tables, this.downloads.cursor, [this.queries, next]);
    });
    await this.bootstrap(message.queryVersion, next, snapshot);
  }

  /** The view difference at the snapshot's version, in batches of one query version. */
  private async bootstrap(
    queryVersion: number,
    next: ViewQueries,
    snapshot: ViewSnapshot,
  ): Promise<void> {
    const batches = viewChanges({
      snapshot,
      model: this.service.model,
      permissions: this.permissions,
      before: this.queries,
      after: next,
      batchSize: this.service.bootstrapBatchSize,
    });
    await this.downloads.sendBootstrap(queryVersion, batches);
    this.queries = next;
  }

  /**
   * A cursor below the compaction floor names history that is gone: the client must reset.
   * A file that never downloaded anything and subscribes to nothing yet (new, or just reset)
   * needs no history: it gets its view by bootstrap.
   */
  private checkNotCompacted(message: ClientIdentMessage): void {
    const cursor = message.download.serverVersion;
    const floor = this.service.history.floor;
    if (cursor >= floor || (cursor === 0 && message.queryVersion === 0)) return;
    throw new SyncProtocolError(
      SyncErrorCode.ClientFileExpired,
      `Client file ${this.file.ident} has server version ${cursor}, but history before server version ${floor + 1} was compacted; the client must reset`,
    );
  }

  async upload(message: UploadMessage): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("upload");
    if (this.service.developmentMode) await this.permissions.cover(this.service.rulesByTable());
    this.reportedDownload = message.progress.lastIntegratedServerVersion;
    const session = {
      fileIdent: this.file.ident,
      permissions: this.permissions,
      queries: this.queries,
      restore: (table: string, pk: PrimaryKey, after: Document | undefined) =>
        this.restore(table, pk, after),
    };
    for (const changeset of message.changesets) {
      if (changeset.clientVersion <= this.integrated) continue; // re-sent after a reconnect
      const { rejected, version } = await integrateChangeset(this.service, session, changeset);
      this.integrated = Math.max(this.integrated, changeset.clientVersion);
      this.downloads.uploadBase = changeset.lastIntegratedServerVersion;
      // The 231 report itself goes out with the entry (catchUp), so a lost connection cannot lose it.
      if (rejected.length > 0 && version !== undefined)
        await this.service.record(compensatingWriteLogEntry(this.caller.user.id, rejected));
    }
    await this.catchUp();
  }

  /** Answers once everything up to the latest version known now has been sent. */
  async mark(requestId: number): Promise<void> {
    if (this.phase !== "active") this.outOfOrder("mark");
    await this.service.externalWritesRecorded();
    // A mark answers "you have everything": everything any node had appended when it came.
    await this.service.followStorage();
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

  private catchUp(always = false): Promise<void> {
    return this.downloads.catchUp(this.view(), always);
  }

  private view(): CatchUpView {
    return {
      clientFileIdent: this.file.ident,
      tables: new Set(this.queries.keys()),
      integratedClientVersion: this.integrated,
      concernedThrough: this.service.concernedThrough(this),
      schema: this.service.model.schema,
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
}
