/**
 * A session's downloads: its cursors and the one place download messages leave from. The
 * catch-up sends every history entry after the cursor, filtered for the session's view
 * (contract rule 4), each changeset stamped with the highest of this file's client versions
 * integrated at or before it; a 231 report goes out just before the download that carries the
 * entry's correction (rule 5). History the session cannot see is not read: with no table in
 * the view and none of the file's own entries after the cursor, the cursor moves straight to
 * the latest version. Bootstrap batches go out through the same cursors, one at a time as the
 * connection takes them.
 */
import {
  BatchState,
  encodeChangeset,
  type DownloadChangeset,
  type DownloadMessage,
  type Instruction,
} from "@atoll/protocol";
import { splitBetweenObjects } from "../bootstrap/viewChanges.js";
import { SERVER_FILE_IDENT } from "../history/SyncHistory.js";
import { compensatingWriteError } from "./compensatingWrite.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { changesetForSession, type SessionView } from "./entryForSession.js";
import type { SessionHost } from "./SessionHost.js";

/** Entries read per step of a catch-up (one download message at most per step). */
const CATCH_UP_STEP = 500;

/** A bootstrap batch encoding larger than this is sent as smaller ones (large objects). */
const BOOTSTRAP_MESSAGE_BYTES = 8 * 1024 * 1024;

export interface DownloadBatch {
  readonly queryVersion: number;
  readonly batchState: BatchState;
}

/** The history a pump reads: the service's shared entry cache. */
export interface EntrySource {
  /** The newest server version. */
  readonly latest: number;
  /** Entries after `version`, oldest first, at most `limit`. */
  after(version: number, limit: number): Promise<readonly SyncEntry[]>;
}

/** A session's view as its catch-up needs it. */
export interface CatchUpView extends SessionView {
  /** The tables the session subscribes to: objects of any other table are never in view. */
  readonly tables: ReadonlySet<string>;
  /** The highest of the file's client versions integrated so far. */
  readonly integratedClientVersion: number;
  /** No entry after this version concerns the session (fan-out did not wake it for them). */
  readonly concernedThrough?: number;
}

export class DownloadPump {
  /** The server version the client has everything up to (as far as this session has sent). */
  cursor = 0;
  /** The highest of this file's client versions integrated at or before `cursor`. */
  lastIntegratedClientVersion = 0;
  /** The subscription set steady-state downloads are sent under. */
  queryVersion = 0;
  /** The server version the client's last integrated upload was based on. */
  uploadBase = 0;
  private sent = { cursor: -1, clientVersion: -1 };

  constructor(
    private readonly entries: EntrySource,
    private readonly host: SessionHost,
    private readonly session: number,
  ) {}

  /**
   * Sends every entry after the cursor, filtered for `view`. `always`: send a download even
   * when nothing is left of the entries, so the client's cursors advance.
   */
  async catchUp(view: CatchUpView, always = false): Promise<void> {
    const nothingToSee =
      view.tables.size === 0 || this.cursor >= (view.concernedThrough ?? Number.MAX_SAFE_INTEGER);
    if (nothingToSee && view.integratedClientVersion <= this.lastIntegratedClientVersion)
      this.cursor = Math.max(this.cursor, this.entries.latest);
    else await this.walk(view);
    if (always && this.cursor !== this.sent.cursor) this.send([]);
  }

  private async walk(view: CatchUpView): Promise<void> {
    for (;;) {
      const entries = await this.entries.after(this.cursor, CATCH_UP_STEP);
      if (entries.length === 0) break;
      let changesets: DownloadChangeset[] = [];
      for (const entry of entries) {
        const own = entry.originIdent === view.clientFileIdent;
        if (own && entry.rejected.length > 0) {
          // Rule 5: the report comes before the download that carries the entry's correction.
          if (changesets.length > 0) this.send(changesets);
          changesets = [];
          this.host.send(
            compensatingWriteError(
              this.session,
              entry.rejected,
              entry.clientVersion,
              entry.version,
            ),
          );
        }
        if (own) this.lastIntegratedClientVersion = entry.clientVersion;
        this.cursor = entry.version;
        if (!own && !entry.objects.some((object) => view.tables.has(object.table))) continue;
        const changeset = changesetForSession(entry, view);
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
        this.send(changesets);
    }
  }

  /**
   * A bootstrap: its batches at the cursor, all under `queryVersion`, the last one marked last
   * (possibly empty); from then on steady-state downloads carry `queryVersion`. Each batch is
   * built once the connection has taken the one before (its buffer below the high-water mark),
   * so the device decodes a batch while the next is built and the server's memory stays bounded.
   */
  async sendBootstrap(
    queryVersion: number,
    batches: Iterable<{ readonly instructions: Instruction[] }>,
  ): Promise<void> {
    let pending: Instruction[] | undefined;
    for (const batch of batches) {
      if (pending) {
        this.sendBatch(pending, { queryVersion, batchState: BatchState.MoreToCome });
        if (!(await this.host.writable())) return;
      }
      pending = batch.instructions;
    }
    this.sendBatch(pending ?? [], { queryVersion, batchState: BatchState.LastInBatch });
    this.queryVersion = queryVersion;
  }

  /** One bootstrap batch; one that encodes too large goes out as two, split between objects. */
  private sendBatch(instructions: Instruction[], batch: DownloadBatch): void {
    if (instructions.length === 0) return this.send([], batch);
    const changeset = this.serverChangeset(this.cursor, instructions);
    const halves =
      changeset.changeset.byteLength > BOOTSTRAP_MESSAGE_BYTES
        ? splitBetweenObjects(instructions)
        : undefined;
    if (halves === undefined) return this.send([changeset], batch);
    this.sendBatch(halves[0], { ...batch, batchState: BatchState.MoreToCome });
    this.sendBatch(halves[1], batch);
  }

  private send(
    changesets: DownloadChangeset[],
    batch: DownloadBatch = { queryVersion: this.queryVersion, batchState: BatchState.SteadyState },
  ): void {
    const latest = this.entries.latest;
    const message: DownloadMessage = {
      type: "download",
      session: this.session,
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
}
