/**
 * Runs one scheduled trigger: its function, with no arguments, at each time its CRON
 * expression names (UTC). The time of the last run is stored (`{_id: "scheduled:<name>",
 * lastRun}`) and claimed by an optimistic commit *before* the function runs, so each
 * scheduled time runs once across restarts and across nodes: a node that loses the race for
 * a time skips it, and a run cut short by a crash is not repeated.
 *
 * After downtime, the times missed since the last run run one after another, oldest first,
 * unless `skip_catchup_events` is set: then the trigger goes on from the next time after now.
 * A trigger seen for the first time starts from now.
 */
import type { Cron } from "croner";
import { cronOf } from "../config/triggers.js";
import type { ScheduledTriggerConfig } from "../config/types.js";
import type { StorageEngine, StoredDocument } from "../storage/StorageEngine.js";
import { isConflict } from "../sync/history/historyWrites.js";
import type { TriggerClock } from "./TriggerClock.js";
import { TRIGGER_STATE } from "./triggerNamespaces.js";
import { runTrigger, type TriggerRunDeps } from "./triggerRun.js";

export interface ScheduledTriggerDeps extends TriggerRunDeps {
  readonly storage: StorageEngine;
  readonly clock: TriggerClock;
}

export class ScheduledTriggerRunner {
  private readonly cron: Cron;
  private readonly id: string;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  /** The time the loop sleeps until; undefined while it works (or once it has ended). */
  private sleepingUntil: Date | undefined;
  private ended = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly trigger: ScheduledTriggerConfig,
    private readonly deps: ScheduledTriggerDeps,
  ) {
    this.cron = cronOf(trigger.schedule);
    this.id = `scheduled:${trigger.name}`;
  }

  async start(): Promise<void> {
    let stored = await this.read();
    if (stored === null || this.trigger.skipCatchupEvents) {
      await this.claim(stored, this.deps.clock.now());
      stored = await this.read();
    }
    this.loop = this.run(stored)
      .catch((error: unknown) => {
        this.deps.log.recordInBackground({
          type: "trigger",
          outcome: "error",
          message: `trigger ${this.trigger.name}: schedule stopped: ${error instanceof Error ? error.message : String(error)}`,
          details: { trigger: this.trigger.name, triggerType: this.trigger.type },
        });
      })
      .finally(() => {
        this.ended = true;
        for (const resolve of this.idleWaiters.splice(0)) resolve();
      });
  }

  /** Resolves once every run due by the clock's now has finished and the next is in the future. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private isIdle(): boolean {
    if (this.loop === undefined || this.ended) return true;
    return this.sleepingUntil !== undefined && this.sleepingUntil > this.deps.clock.now();
  }

  private sleep(until: Date): Promise<void> {
    this.sleepingUntil = until;
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
    return this.deps.clock.sleepUntil(until, this.stopping.signal).then(() => {
      this.sleepingUntil = undefined;
    });
  }

  private async run(initial: StoredDocument | null): Promise<void> {
    let stored = initial;
    const { signal } = this.stopping;
    while (!signal.aborted) {
      const next = this.cron.nextRun(lastRunOf(stored) ?? this.deps.clock.now());
      if (next === null) return;
      await this.sleep(next);
      if (signal.aborted) return;
      const claimed = await this.claim(stored, next);
      stored = await this.read();
      if (claimed)
        await runTrigger(this.deps, this.trigger, [], { scheduledAt: next.toISOString() });
    }
  }

  private read(): Promise<StoredDocument | null> {
    return this.deps.storage.get(TRIGGER_STATE, this.id);
  }

  /** Records `time` as the last run; false when another node recorded a run first. */
  private async claim(stored: StoredDocument | null, time: Date): Promise<boolean> {
    const doc = { _id: this.id, lastRun: time };
    try {
      await this.deps.storage.commit([
        stored === null
          ? { kind: "insert", ns: TRIGGER_STATE, doc }
          : { kind: "replace", ns: TRIGGER_STATE, doc, expectedVersion: stored.version },
      ]);
      return true;
    } catch (error) {
      if (isConflict(error)) return false;
      throw error;
    }
  }
}

function lastRunOf(stored: StoredDocument | null): Date | undefined {
  const lastRun = stored?.doc["lastRun"];
  return lastRun instanceof Date ? lastRun : undefined;
}
