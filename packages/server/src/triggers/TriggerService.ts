/**
 * The app's triggers (`triggers/*.json`): database triggers following the change feed,
 * scheduled triggers on their CRON schedule, authentication triggers on the auth service's
 * announcements. Disabled triggers do not run; a database trigger enabled again later goes
 * on from where its cursor stopped (or from the end of the feed with `skip_catchup_events`).
 *
 * Database triggers are woken by `onCommit`, which reports this process's commits (and, on an
 * engine that shares its feed between processes, the commits it learns of); at start each
 * trigger catches up from its stored cursor whatever was committed while it was not running.
 */
import type { AppConfig } from "../config/types.js";
import type { StorageEngine } from "../storage/StorageEngine.js";
import { AuthTriggers } from "./AuthTriggers.js";
import { DatabaseTriggerRunner } from "./DatabaseTriggerRunner.js";
import { newNodeId, retireNodeId } from "./nodeIdentity.js";
import { ScheduledTriggerRunner } from "./ScheduledTriggerRunner.js";
import { systemClock, type TriggerClock } from "./TriggerClock.js";
import type { TriggerFunctions, TriggerLog } from "./triggerRun.js";

export interface TriggerServiceOptions {
  readonly config: AppConfig;
  readonly storage: StorageEngine;
  readonly functions: TriggerFunctions;
  readonly log: TriggerLog;
  /** Default: the system clock. */
  readonly clock?: TriggerClock;
  /** How long a node's claim on a database trigger lasts without renewal (default 30 s). */
  readonly leaseMs?: number;
}

export class TriggerService {
  /** What the auth service announces user creation, login and deletion to. */
  readonly auth: AuthTriggers;
  private readonly database: DatabaseTriggerRunner[] = [];
  private readonly scheduled: ScheduledTriggerRunner[] = [];
  private stopFeed: () => void = () => {};
  private readonly nodeId: string;

  constructor(private readonly options: TriggerServiceOptions) {
    const clock = options.clock ?? systemClock;
    const run = { functions: options.functions, log: options.log };
    this.nodeId = newNodeId();
    for (const trigger of options.config.triggers?.values() ?? []) {
      if (trigger.disabled) continue;
      switch (trigger.type) {
        case "DATABASE":
          this.database.push(
            new DatabaseTriggerRunner(trigger, {
              ...run,
              storage: options.storage,
              clock,
              nodeId: this.nodeId,
              leaseMs: options.leaseMs ?? 30_000,
            }),
          );
          break;
        case "SCHEDULED":
          this.scheduled.push(
            new ScheduledTriggerRunner(trigger, { ...run, storage: options.storage, clock }),
          );
          break;
      }
    }
    this.auth = new AuthTriggers(options.config, { ...run, clock });
  }

  /** Starts following the change feed and the schedules. */
  async start(): Promise<void> {
    if (this.database.length > 0) {
      this.stopFeed = this.options.storage.onCommit((records) => {
        for (const runner of this.database) runner.notify(records);
      });
    }
    for (const runner of this.database) await runner.start();
    for (const runner of this.scheduled) await runner.start();
  }

  /**
   * Resolves when every trigger has handled what it was woken for: database triggers the
   * changes committed so far, scheduled triggers the runs due by the clock's now,
   * authentication triggers the background runs started so far; and their runs are logged.
   */
  async whenIdle(): Promise<void> {
    // A trigger's function may wake another trigger that had already gone idle.
    do {
      await Promise.all([
        ...this.database.map((runner) => runner.whenIdle()),
        ...this.scheduled.map((runner) => runner.whenIdle()),
        this.auth.whenIdle(),
      ]);
    } while (this.database.some((runner) => !runner.isIdle()));
    await this.options.log.flush();
  }

  /** Stops after the runs under way; database triggers release their claims. */
  async close(): Promise<void> {
    this.stopFeed();
    await Promise.all([
      ...this.database.map((runner) => runner.close()),
      ...this.scheduled.map((runner) => runner.close()),
      this.auth.whenIdle(),
    ]);
    retireNodeId(this.nodeId);
  }
}
