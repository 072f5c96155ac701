/**
 * Runs one database trigger: follows the storage change feed from the trigger's stored cursor
 * (`TriggerCursor`), builds each change's event, and calls the function. Every change in the
 * feed is a candidate, whatever wrote it (devices over sync, the data API, functions, other
 * triggers, the CLI).
 *
 * Delivery is at least once. An ordered trigger runs one event at a time, in feed order, and
 * moves the cursor past each event after its function returns (or throws: a failing event is
 * logged and not retried); an unordered trigger runs a batch of events at once and moves the
 * cursor past the batch when all have returned. A process that dies before the cursor moves
 * runs those events again when the trigger resumes, with the same `_id`, so functions that
 * must act once use it as an idempotency key. A process that stops cleanly finishes the
 * events under way and moves the cursor first, so a restart repeats nothing.
 *
 * Several nodes on one storage: each commit of the cursor renews this node's claim; a node
 * runs the trigger only while its claim holds, and another node takes over when it lapses
 * (`leaseMs` after the last commit) or is released. Two nodes therefore never run the same
 * event, unless one event's function outlives the claim: then the event may run again on the
 * node that took over.
 */
import type { DatabaseTriggerConfig } from "../config/types.js";
import type { Document } from "../data/types.js";
import type { ChangeRecord, StorageEngine } from "../storage/StorageEngine.js";
import { eventBuilder, inNamespace, resumeToken } from "./changeEvent.js";
import type { TriggerClock } from "./TriggerClock.js";
import { TriggerCursor, type CursorState } from "./TriggerCursor.js";
import { runTrigger, type TriggerRunDeps } from "./triggerRun.js";

export interface DatabaseTriggerDeps extends TriggerRunDeps {
  readonly storage: StorageEngine;
  readonly clock: TriggerClock;
  /** This process's name in claims; unique per process. */
  readonly nodeId: string;
  /** How long a claim lasts after the node's last commit of the cursor. */
  readonly leaseMs: number;
}

/** Change records read per step; at most this many events of an unordered trigger run at once. */
const BATCH = 64;

export class DatabaseTriggerRunner {
  private readonly cursor: TriggerCursor;
  private readonly build: (record: ChangeRecord) => Document | undefined;
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private again = false;
  /** Set while another node holds the claim: when it lapses, and the wait for that. */
  private claimWait: { readonly until: number; readonly done: Promise<void> } | undefined;
  private state: CursorState | undefined;

  constructor(
    private readonly trigger: DatabaseTriggerConfig,
    private readonly deps: DatabaseTriggerDeps,
  ) {
    this.cursor = new TriggerCursor(deps.storage, trigger.name, deps.nodeId, deps.leaseMs);
    this.build = eventBuilder(trigger);
  }

  /** Starts from the stored cursor (or, with `skip_catchup_events`, from the end of the feed). */
  async start(): Promise<void> {
    if (this.trigger.skipCatchupEvents) {
      const state = await this.cursor.read();
      if (this.cursor.mayRun(state, this.now()))
        this.state = await this.cursor.advance(
          state,
          await this.deps.storage.lastSeq(),
          this.now(),
        );
    }
    this.wake();
  }

  /** Called with every committed batch: wakes the trigger when one of them concerns it. */
  notify(records: readonly ChangeRecord[]): void {
    if (records.some((record) => inNamespace(this.trigger, record))) this.wake();
  }

  /**
   * Resolves when the trigger has handled every change it was woken for, and any claim of
   * another node it was waiting for has not lapsed by the clock's now.
   */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.running !== undefined) await this.running;
      else if (this.claimLapsed()) await this.claimWait?.done;
      else return;
    }
  }

  isIdle(): boolean {
    return this.running === undefined && !this.claimLapsed();
  }

  private claimLapsed(): boolean {
    return (
      this.claimWait !== undefined &&
      this.claimWait.until <= this.now() &&
      !this.stopping.signal.aborted
    );
  }

  /** Finishes the events under way, moves the cursor past them, and releases the claim. */
  async close(): Promise<void> {
    this.stopping.abort();
    await this.whenIdle();
    if (this.state !== undefined) await this.cursor.release(this.state).catch(() => undefined);
  }

  private wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
        } catch (error) {
          this.deps.log.recordInBackground({
            type: "trigger",
            outcome: "error",
            message: `trigger ${this.trigger.name}: cannot follow the change feed: ${error instanceof Error ? error.message : String(error)}`,
            details: { trigger: this.trigger.name, triggerType: this.trigger.type },
          });
        }
      } while (this.again && !this.stopping.signal.aborted);
      this.running = undefined;
    })();
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  /** Handles changes until the feed is exhausted, the runner stops, or another node holds the claim. */
  private async drain(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const state = await this.cursor.read();
      if (!this.cursor.mayRun(state, this.now())) {
        this.retryWhenClaimLapses(state.until);
        return;
      }
      const records = await this.deps.storage.changesSince(state.seq, BATCH);
      if (records.length === 0) return;
      const held = this.cursor.isFresh(state, this.now())
        ? state
        : await this.cursor.advance(state, state.seq, this.now());
      if (held === undefined) continue;
      this.state = held;
      if (this.trigger.unordered) await this.runTogether(records);
      else await this.runInOrder(records);
    }
  }

  private async runInOrder(records: readonly ChangeRecord[]): Promise<void> {
    for (const record of records) {
      if (this.stopping.signal.aborted) return;
      const event = this.build(record);
      if (event === undefined) continue;
      if (!(await this.holdClaim())) return;
      await this.run(event, record.seq);
      if (!(await this.moveTo(record.seq))) return;
    }
    await this.moveTo(records.at(-1)!.seq);
  }

  private async runTogether(records: readonly ChangeRecord[]): Promise<void> {
    await Promise.all(
      records.map((record) => {
        const event = this.build(record);
        return event === undefined ? Promise.resolve() : this.run(event, record.seq);
      }),
    );
    await this.moveTo(records.at(-1)!.seq);
  }

  private async run(event: Document, seq: number): Promise<void> {
    await runTrigger(this.deps, this.trigger, [event], { event: resumeToken(seq)._data });
  }

  /** Renews the claim when half of it has passed; false when another node took it over. */
  private async holdClaim(): Promise<boolean> {
    const state = this.state;
    if (state === undefined) return false;
    if (this.cursor.isFresh(state, this.now())) return true;
    return this.moveTo(state.seq);
  }

  private async moveTo(seq: number): Promise<boolean> {
    if (this.state === undefined) return false;
    if (this.state.seq >= seq && this.cursor.isFresh(this.state, this.now())) return true;
    const next = await this.cursor.advance(this.state, seq, this.now());
    this.state = next;
    return next !== undefined;
  }

  private retryWhenClaimLapses(until: number): void {
    if (this.claimWait !== undefined) return;
    const done = this.deps.clock.sleepUntil(new Date(until), this.stopping.signal).then(() => {
      this.claimWait = undefined;
      this.wake();
    });
    this.claimWait = { until, done };
  }
}
