/**
 * One run of the convergence property: the random commands, three fresh client files (for
 * users logged in once) subscribed to this run's groups through the fault proxy, the ledger
 * of what was written, and the reports the clients received. Each run uses its own group
 * names, so runs never see each other's tasks.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { CompensatingWriteError } from "@atoll/client";
import type { User } from "@atoll/client";
import type { AtollServer } from "@atoll/server";
import type { FaultProxy } from "./proxy.js";
import {
  openSyncedClient,
  quiesce,
  serverTasks,
  snapshotRealm,
  tasksOf,
  type SyncedClient,
  type TaskSnapshot,
} from "./syncedClients.js";
import { compensationKey, WriteLedger } from "./writeLedger.js";

type Group = "a" | "b";

/** What a run's `cut` command drops: every client's WebSocket connection. */
type Cutter = Pick<FaultProxy, "cutWebSockets">;

/** `pick` chooses among the tasks the client holds (modulo their number). */
export type Command =
  | {
      readonly kind: "create";
      readonly client: number;
      readonly group: Group;
      readonly tags: number;
    }
  | { readonly kind: "setTitle"; readonly client: number; readonly pick: number }
  | {
      readonly kind: "setGroup";
      readonly client: number;
      readonly pick: number;
      readonly group: Group;
    }
  | {
      readonly kind: "increment";
      readonly client: number;
      readonly pick: number;
      readonly by: number;
    }
  | {
      readonly kind: "insertTag";
      readonly client: number;
      readonly pick: number;
      readonly at: number;
    }
  | { readonly kind: "delete"; readonly client: number; readonly pick: number }
  | { readonly kind: "pause" | "resume" | "sync"; readonly client: number }
  | { readonly kind: "cut" };

const client = fc.integer({ min: 0, max: 2 });
const pick = fc.nat(20);
const group = fc.constantFrom<Group>("a", "b");

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("create" as const), client, group, tags: fc.nat(2) }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("setTitle" as const), client, pick }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("setGroup" as const), client, pick, group }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("increment" as const),
      client,
      pick,
      by: fc.integer({ min: 1, max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("insertTag" as const), client, pick, at: fc.nat(3) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), client, pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("resume" as const), client }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("sync" as const), client }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cut" as const) }) },
);

/** Longest wait for a session: a stuck client fails the run instead of hanging it. */
const WAIT_MS = 30_000;

/** Waits for the clock to move past `ms`, so that every write gets its own timestamp. */
function afterMillisecond(ms: number): void {
  while (Date.now() <= ms) {
    /* spin: at most one millisecond */
  }
}

export class ConvergenceRun {
  readonly ledger = new WriteLedger();
  private readonly paused = new Set<number>();
  private lastWriteMs = 0;
  private counter = 0;

  private constructor(
    private readonly prefix: string,
    readonly clients: readonly SyncedClient[],
    private readonly proxy: Cutter,
  ) {}

  static async open(options: {
    readonly number: number;
    readonly dir: string;
    readonly users: readonly User[];
    readonly proxy: Cutter;
    readonly views: readonly (readonly Group[])[];
  }): Promise<ConvergenceRun> {
    const prefix = `r${options.number}`;
    mkdirSync(options.dir, { recursive: true });
    const clients = await Promise.all(
      options.views.map((view, i) =>
        openSyncedClient({
          name: `c${i}`,
          user: options.users[i % options.users.length]!,
          path: join(options.dir, `c${i}.realm`),
          groups: view.map((g) => `${prefix}-${g}`),
        }),
      ),
    );
    return new ConvergenceRun(prefix, clients, options.proxy);
  }

  async execute(command: Command): Promise<void> {
    await this.run(command);
    for (const target of this.clients) {
      const fatal = target.errors.find((error) => error.isFatal);
      if (fatal)
        throw new Error(`${target.name}'s session failed: ${fatal.message} (${fatal.code})`);
    }
  }

  private async run(command: Command): Promise<void> {
    if (command.kind === "cut") return this.proxy.cutWebSockets();
    const index = command.client;
    const target = this.clients[index]!;
    const session = target.realm.syncSession!;
    switch (command.kind) {
      case "pause":
        this.paused.add(index);
        return session.pause();
      case "resume":
        this.paused.delete(index);
        return session.resume();
      case "sync":
        if (this.paused.has(index)) return;
        await target.settle(session.uploadAllLocalChanges(WAIT_MS));
        await target.settle(session.downloadAllServerChanges(WAIT_MS));
        return;
      case "create":
        return this.write(target, () => {
          const task = {
            _id: `${this.prefix}-${target.name}-${++this.counter}`,
            group: `${this.prefix}-${command.group}`,
            title: `${target.name}-${this.counter}`,
            points: 0,
            tags: Array.from(
              { length: command.tags },
              (_, i) => `${target.name}-${this.counter}-t${i}`,
            ),
          };
          target.realm.create("Task", task);
          this.ledger.created(target.name, task, !target.groups.includes(task.group));
        });
    }
    const tasks = tasksOf(target.realm);
    const task = tasks[command.pick % Math.max(1, tasks.length)];
    if (!task) return;
    const pk = task._id;
    const value = `${target.name}-${++this.counter}`;
    this.write(target, () => {
      switch (command.kind) {
        case "setTitle":
          task.title = value;
          return this.ledger.wrote(target.name, pk, "title", value);
        case "setGroup": {
          const moved = `${this.prefix}-${command.group}`;
          task.group = moved;
          return this.ledger.wrote(target.name, pk, "group", moved);
        }
        case "increment":
          task.points.increment(command.by);
          return this.ledger.wrote(target.name, pk, "increment", command.by);
        case "insertTag":
          task.tags.insert(Math.min(command.at, task.tags.length), value);
          return this.ledger.wrote(target.name, pk, "tag", value);
        case "delete":
          target.realm.delete(task);
          return this.ledger.wrote(target.name, pk, "delete", null);
      }
    });
  }

  /** Resumes every client and syncs them all until nothing changes. */
  async quiesce(): Promise<void> {
    this.paused.clear();
    await quiesce(this.clients);
  }

  snapshot(target: SyncedClient): TaskSnapshot[] {
    return snapshotRealm(target.realm);
  }

  /** The server's documents in `groups` (this run's full group names). */
  serverView(server: AtollServer, groups: readonly string[]): Promise<TaskSnapshot[]> {
    return serverTasks(
      server,
      groups.map((g) => (g.startsWith(`${this.prefix}-`) ? g : `${this.prefix}-${g}`)),
    );
  }

  /** `client|pk` for every object a compensating write report named. */
  compensated(): Set<string> {
    const out = new Set<string>();
    for (const target of this.clients)
      for (const error of target.errors)
        if (error instanceof CompensatingWriteError)
          for (const write of error.writes)
            out.add(compensationKey(target.name, String(write.primaryKey)));
    return out;
  }

  close(): void {
    for (const target of this.clients) target.close();
  }

  private write(target: SyncedClient, body: () => void): void {
    afterMillisecond(this.lastWriteMs);
    target.realm.write(body);
    this.lastWriteMs = Date.now();
  }
}
