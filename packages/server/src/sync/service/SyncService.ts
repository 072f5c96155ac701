/**
 * Flexible sync for one app: the synced model, the history, the recorder that turns writes
 * made elsewhere (functions, data access) into history, the live sessions, and the one async
 * mutex that serialises every append to history and every bootstrap scan (contract rule 6).
 *
 * Fan-out: after each append the service adds the entries to its shared cache and wakes the
 * sessions they concern (`FanOut`); each reads the new entries from the cache and filters them
 * for its own view, in its own send queue.
 *
 * Several nodes on one database: the mutex orders this node's own work only. Appends from
 * different nodes are serialised by storage (each integration commits the server version
 * counter at the version it read, so the loser of a race conflicts and integrates again), and
 * every append wakes every node (`HISTORY_CHANNEL`); a node woken reads the history appended
 * after its cache's latest version from storage and fans it out to its own sessions. A
 * bootstrap scan is taken again when another node appended history while it ran, so the
 * snapshot is always the state of the version it names.
 */
import { DEFAULT_MAX_MESSAGE_BYTES, SyncProtocolError } from "@atoll/protocol";
import type { RqlClass } from "@atoll/rql";
import type { AuthService } from "../../auth/AuthService.js";
import type { UserContext } from "../../callerContext.js";
import type { AppConfig, DataSourceConfig, RuleSet } from "../../config/types.js";
import type { LogEntry } from "../../logs/LogEntry.js";
import type { ServerLog } from "../../http/ServerLog.js";
import type { CallFunction } from "../../rules/RuleContext.js";
import type { ChangeRecord, StorageEngine } from "../../storage/StorageEngine.js";
import {
  loadDevelopmentTypes,
  saveDevelopmentTypes,
  type ClientObjectSchema,
} from "../history/developmentTypes.js";
import { ExternalChangeRecorder } from "../history/ExternalChangeRecorder.js";
import type { SyncEntry } from "../history/historyEntries.js";
import { SyncHistory } from "../history/SyncHistory.js";
import { SYNC_ORIGIN } from "../history/syncNamespaces.js";
import type { SyncLimits } from "../upload/syncLimits.js";
import { NO_SYNC_METRICS, type SyncMetrics } from "../../metrics/ServerMetrics.js";
import type { QueryableFields } from "../subscriptions/bindSubscription.js";
import { buildSyncModel, type SyncedTable, type SyncModel } from "../syncSchema.js";
import { AsyncMutex } from "./AsyncMutex.js";
import { CoalescedRun } from "./CoalescedRun.js";
import { readClientSchema } from "./clientSchema.js";
import { EntryCache } from "./EntryCache.js";
import { FanOut, type FanOutSession } from "./FanOut.js";
import { HistoryCompactor } from "./HistoryCompactor.js";

const HOUR_MS = 60 * 60 * 1000;

/** The storage channel every node notifies after appending to history. */
export const HISTORY_CHANNEL = "atoll_history";

/** History entries read from storage per step when following another node's appends. */
const FOLLOW_STEP = 500;

/**
 * Time between two reads of the latest server version that do not wait for a wake-up: a
 * wake-up lost (a database connection dropped and re-established) delays fan-out by this much
 * at worst instead of until the next append.
 */
const FOLLOW_POLL_MS = 5_000;

/** A live session as the service sees it. */
export interface LiveSession extends FanOutSession {
  /** New history that concerns the session is available: catch up (queued behind whatever the session is doing). */
  wake(): void;
  /** Ends the session because the server is closing. */
  terminate(): void;
  /** Records durably that the session's client file was connected at `now`. */
  touch(now: number): Promise<void>;
}

export interface SyncServiceOptions {
  readonly config: AppConfig;
  readonly storage: StorageEngine;
  readonly auth: AuthService;
  readonly log: ServerLog;
  /** Objects per bootstrap download message (default 5000; a batch encoding beyond 8 MiB is split). */
  readonly bootstrapBatchSize?: number;
  /** Largest accepted frame in bytes (default: the protocol's 16 MiB). */
  readonly maxMessageBytes?: number;
  /** Runs the app's functions, for `%function` in rules (without it, `%function` is false). */
  readonly functions?: FunctionRunner;
  /** The clock client file expiry is measured by (default: the system clock). */
  readonly now?: () => Date;
  /** Time between history compactions (default one hour; see `HistoryCompactor`). */
  readonly compactionIntervalMs?: number;
  /** Bounds on uploaded changesets over their defaults (see `syncLimits`). */
  readonly limits?: Partial<SyncLimits>;
  /**
   * Time between looks at the change feed for writes another process made to the store (an
   * `atoll import` beside the server, another node), which no commit listener here reports
   * (default one second).
   */
  readonly feedPollMs?: number;
  /** Where upload and download volume and integration time are counted (default: nowhere). */
  readonly metrics?: SyncMetrics;
}

/** The part of the function service rules need: run a function as a user. */
export interface FunctionRunner {
  execute(name: string, args: unknown[], user: UserContext): Promise<unknown>;
}

export class SyncService {
  readonly model: SyncModel;
  readonly history: SyncHistory;
  readonly entries: EntryCache;
  readonly queryable: QueryableFields;
  private readonly mutex = new AsyncMutex();
  private readonly sessions = new FanOut<LiveSession>();
  private readonly recorder: ExternalChangeRecorder;
  readonly compactor: HistoryCompactor;
  /** Writes marking files seen that nobody waits for (sessions ending); close waits for them. */
  private readonly touches = new Set<Promise<void>>();
  private readonly syncedNamespaces: Set<string>;
  private readonly recording: CoalescedRun;
  /** Reads history appended by other nodes (see `followHistory`). */
  private readonly following: CoalescedRun;
  /** Tells the other nodes this one appended history. */
  private readonly announcing: CoalescedRun;
  private stopFeed: () => void = () => {};
  private feedPoll: NodeJS.Timeout | undefined;
  private polledSeq = -1;
  private closed = false;

  private constructor(
    readonly options: SyncServiceOptions,
    private readonly source: DataSourceConfig,
  ) {
    const { config, storage } = options;
    this.model = buildSyncModel(source.collections.values(), {
      database: config.sync.databaseName,
      asymmetricTables: config.sync.asymmetricTables,
    });
    this.history = new SyncHistory(storage, this.model);
    this.recorder = new ExternalChangeRecorder(storage, this.model);
    this.entries = new EntryCache(this.history);
    this.compactor = new HistoryCompactor(
      {
        storage,
        history: this.history,
        maxOfflineDays: config.sync.clientMaxOfflineDays,
        now: () => this.now(),
        touchLiveFiles: (now) => this.touchLiveFiles(now),
        record: (entry) => this.record(entry),
      },
      options.compactionIntervalMs ?? HOUR_MS,
    );
    this.queryable = {
      global: config.sync.queryableFieldsNames,
      byTable: config.sync.collectionQueryableFieldsNames,
    };
    this.syncedNamespaces = new Set(
      [...this.model.tables.values()].map((t) => `${t.database}.${t.collection}`),
    );
    // One batch per turn of the mutex, so uploads and bootstraps interleave with a long backlog.
    this.recording = new CoalescedRun(
      async () => {
        while (!this.closed && !(await this.exclusive(() => this.recordOneBatch())));
      },
      (error) => this.logFailure("could not record a write into sync history", error),
    );
    this.following = new CoalescedRun(
      () => this.exclusive(() => this.followHistory()),
      (error) => this.logFailure("could not read history appended by another node", error),
    );
    this.announcing = new CoalescedRun(
      () => storage.notify(HISTORY_CHANNEL),
      (error) => this.logFailure("could not tell the other nodes of new history", error),
    );
  }

  private logFailure(what: string, error: unknown): Promise<void> {
    return this.record({
      type: "sync",
      outcome: "error",
      message: `${what}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  /** The app's sync service, or undefined when the app has no flexible sync configured. */
  static async start(options: SyncServiceOptions): Promise<SyncService | undefined> {
    const { sync } = options.config;
    if (sync.type !== "flexible" || sync.state === "disabled") return undefined;
    const source = options.config.dataSources.get(sync.serviceName);
    if (!source) return undefined;
    const service = new SyncService(options, source);
    service.addToModel(readClientSchema(await loadDevelopmentTypes(options.storage)));
    const { storage } = options;
    const stopCommits = storage.onCommit((records) => service.onCommit(records));
    const stopWakeups = storage.listen(HISTORY_CHANNEL, () => void service.following.request());
    const poll = setInterval(() => void service.following.request(), FOLLOW_POLL_MS);
    poll.unref();
    service.stopFeed = () => {
      stopCommits();
      stopWakeups();
      clearInterval(poll);
    };
    await service.history.loadFloor();
    await service.entries.refresh();
    await service.compactor.start();
    // Writes made while the server was down are recorded in the background, batch by batch:
    // start-up does not wait for a backlog of any size, and a bootstrap scan records what is
    // left of it first (`scanExclusive`), so no device misses one.
    void service.recording.request();
    service.feedPoll = setInterval(() => service.pollFeed(), options.feedPollMs ?? 1000);
    service.feedPoll.unref();
    return service;
  }

  get bootstrapBatchSize(): number {
    return this.options.bootstrapBatchSize ?? 5000;
  }

  /** Types that are insert-only (data ingest): written without a view, never fanned out. */
  get asymmetricTables(): ReadonlySet<string> {
    return new Set([...this.model.tables.values()].filter((t) => t.asymmetric).map((t) => t.name));
  }

  get metrics(): SyncMetrics {
    return this.options.metrics ?? NO_SYNC_METRICS;
  }

  get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** The current time (ms since the Unix epoch) by the service's clock. */
  now(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  /** `client_max_offline_days` when it is set and positive. */
  get maxOfflineDays(): number | undefined {
    const days = this.options.config.sync.clientMaxOfflineDays;
    return days !== undefined && days > 0 ? days : undefined;
  }

  get recoveryModeDisabled(): boolean {
    return this.options.config.sync.isRecoveryModeDisabled;
  }

  /** Marks a file seen without making the caller wait (a session ending); failures are logged. */
  touchInBackground(touch: () => Promise<void>): void {
    const done = touch()
      .catch((error: unknown) =>
        this.record({
          type: "sync",
          outcome: "error",
          message: `could not record when a client file was last seen: ${error instanceof Error ? error.message : String(error)}`,
        }),
      )
      .finally(() => this.touches.delete(done));
    this.touches.add(done);
  }

  private async touchLiveFiles(now: number): Promise<void> {
    for (const session of this.sessions.all()) await session.touch(now);
  }

  get developmentMode(): boolean {
    return this.options.config.sync.developmentModeEnabled;
  }

  /** `callFunction` for rule contexts of `user`'s sessions, as the HTTP data layer has it. */
  functionsFor(user: UserContext): { callFunction?: CallFunction } {
    const { functions } = this.options;
    return functions === undefined
      ? {}
      : { callFunction: (name, args) => functions.execute(name, args, user) };
  }

  /** Each synced table's rules (the collection's, else the data source's default rule). */
  rulesByTable(): Map<string, RuleSet | undefined> {
    const out = new Map<string, RuleSet | undefined>();
    for (const table of this.model.tables.values()) {
      const collection = this.source.collections.get(`${table.database}.${table.collection}`);
      out.set(table.name, collection?.rules ?? this.source.defaultRule);
    }
    return out;
  }

  /** Runs `task` alone among the app's appends to history and bootstrap scans. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.mutex.run(task);
  }

  /**
   * Runs a bootstrap scan alone, after recording any write made outside sync that is already
   * in the collections, so the scan and the history version it names agree.
   */
  scanExclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      for (;;) {
        await this.recordPending();
        await this.followHistory();
        const version = this.entries.latest;
        const result = await task();
        // Another node appended while the scan ran: the scan may hold part of it. Again.
        if ((await this.history.latestVersion()) === version) return result;
      }
    });
  }

  /**
   * After this node appended to history (called inside `exclusive`): cache the entries, wake
   * the sessions they concern, and wake the other nodes.
   */
  async appended(entries: readonly SyncEntry[]): Promise<void> {
    await this.cacheAndWake(entries);
    void this.announcing.request();
  }

  private async cacheAndWake(entries: readonly SyncEntry[]): Promise<void> {
    const gap = entries.some((entry, i) => entry.version !== this.entries.latest + 1 + i);
    const wake = this.sessions.appending(entries, gap);
    await this.entries.add(entries);
    for (const session of wake) session.wake();
  }

  /**
   * Resolves once history appended by any node before this call is cached and its sessions
   * woken (a wake-up from another node may still be on its way).
   */
  followStorage(): Promise<void> {
    return this.following.request();
  }

  /**
   * Makes the cache hold `version` when history has it (called inside `exclusive`): a device
   * may name a version another node gave it before this node heard of it.
   */
  async knowVersion(version: number): Promise<void> {
    if (version > this.entries.latest) await this.followHistory();
  }

  /**
   * Takes the history appended after the cache's latest version (by other nodes: this node's
   * own appends are cached as they are made) and fans it out. Called inside `exclusive`.
   */
  private async followHistory(): Promise<void> {
    for (;;) {
      const latest = await this.history.latestVersion();
      const from = this.entries.latest;
      if (latest <= from) return;
      let fresh: SyncEntry[];
      try {
        fresh = await this.history.entriesSince(from, Math.min(latest - from, FOLLOW_STEP));
      } catch (error) {
        // Compacted by another node past this node's cache: wake every session, which reads
        // from storage (and is told to reset if its cursor is gone).
        if (!(error instanceof SyncProtocolError)) throw error;
        const wake = this.sessions.appending([], true);
        await this.entries.refresh();
        for (const session of wake) session.wake();
        return;
      }
      await this.cacheAndWake(fresh);
    }
  }

  /** The version after which no history entry concerns `session` (see `FanOut`). */
  concernedThrough(session: LiveSession): number {
    return this.sessions.concernedThrough(session);
  }

  /**
   * Development mode: adds the client's types the model lacks (their object schemas as sent
   * on bind), stored in a collection of the sync database named after the type, under the
   * data source's default rule. They are recorded durably first, so they survive a restart.
   */
  async addClientTypes(schemas: readonly ClientObjectSchema[]): Promise<string[]> {
    const classes = readClientSchema(schemas);
    const fresh = new Set(classes.filter((cls) => !this.model.schema[cls.name]).map((c) => c.name));
    if (fresh.size === 0) return [];
    await saveDevelopmentTypes(
      this.storage,
      schemas.filter((schema) => fresh.has(String(schema.name))),
    );
    return this.addToModel(classes);
  }

  private addToModel(classes: readonly RqlClass[]): string[] {
    const added: string[] = [];
    const schema = this.model.schema;
    const tables = this.model.tables as Map<string, SyncedTable>;
    for (const cls of classes) {
      if (schema[cls.name]) continue;
      schema[cls.name] = cls;
      added.push(cls.name);
      if (cls.embedded) continue;
      const table: SyncedTable = {
        name: cls.name,
        database: this.options.config.sync.databaseName,
        collection: cls.name,
        asymmetric: cls.asymmetric === true,
      };
      tables.set(cls.name, table);
      this.syncedNamespaces.add(`${table.database}.${table.collection}`);
      this.recorder.follow(table);
    }
    return added;
  }

  add(session: LiveSession): void {
    this.sessions.add(session, this.entries.latest);
  }

  remove(session: LiveSession): void {
    this.sessions.remove(session);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  record(entry: Omit<LogEntry, "time">): Promise<void> {
    return this.options.log.record(entry);
  }

  /** Records without waiting; the server's shutdown still waits for the entry to be stored. */
  recordInBackground(entry: Omit<LogEntry, "time">): void {
    this.options.log.recordInBackground(entry);
  }

  get auth(): AuthService {
    return this.options.auth;
  }

  get storage(): StorageEngine {
    return this.options.storage;
  }

  get config(): AppConfig {
    return this.options.config;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopFeed();
    clearInterval(this.feedPoll);
    await this.compactor.stop();
    for (const session of this.sessions.all()) session.terminate();
    await Promise.all([this.recording.stop(), this.following.stop(), this.announcing.stop()]);
    await Promise.all([...this.touches]);
    // Let an integration or bootstrap under way finish before storage closes.
    await this.exclusive(async () => {});
  }

  /**
   * Resolves once the writes made outside sync that were committed before the call are in
   * history: with an engine that does I/O, recording them can still be under way when the
   * write's caller (a function, the data API) has had its answer.
   */
  externalWritesRecorded(): Promise<void> {
    return this.recording.idle();
  }

  /** Records every write made outside sync that is not yet history (called inside `exclusive`). */
  private async recordPending(): Promise<void> {
    while (!(await this.recordOneBatch()));
  }

  /**
   * The recorder's cursor is shared by every node: in development mode a type another node
   * added must be followed here too before this node moves the cursor past writes to it.
   */
  private async followAddedTypes(): Promise<void> {
    if (this.developmentMode)
      this.addToModel(readClientSchema(await loadDevelopmentTypes(this.storage)));
  }

  /** Records what the feed gained since the last look, from whichever process wrote it. */
  private pollFeed(): void {
    void this.storage.lastSeq().then(
      (last) => {
        if (last === this.polledSeq || this.closed) return;
        this.polledSeq = last;
        void this.recording.request();
      },
      () => {}, // storage closing under the timer: the next start looks again
    );
  }

  /** Records one batch of writes made outside sync; true when none was left (inside `exclusive`). */
  private async recordOneBatch(): Promise<boolean> {
    await this.followAddedTypes();
    const { entries, done } = await this.recorder.recordBatch();
    if (entries.length > 0) await this.appended(entries);
    return done;
  }

  /** Development mode: a collection of the sync database may be a type another node added. */
  private mayBeAddedType(db: string): boolean {
    return this.developmentMode && db === this.options.config.sync.databaseName;
  }

  private onCommit(records: readonly ChangeRecord[]): void {
    if (this.closed) return;
    this.recorder.hold(records);
    const external = records.some(
      (r) =>
        r.origin !== SYNC_ORIGIN &&
        (this.syncedNamespaces.has(`${r.ns.db}.${r.ns.coll}`) || this.mayBeAddedType(r.ns.db)),
    );
    if (external) void this.recording.request();
  }
}
