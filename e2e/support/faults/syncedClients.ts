/**
 * Real synced clients for the convergence and fault tests: a logged-in user per client (its
 * own App directory), a synced realm per client file subscribed to some groups of `Task`, the
 * errors its session reported, plain snapshots of its tasks and of the server's documents,
 * and `quiesce`, which brings every client level with the server.
 */
import { App, Credentials, Realm } from "@atoll/client";
import type { Counter, List, SyncError, User } from "@atoll/client";
import type { AtollServer } from "@atoll/server";
import { TaskSchema } from "./syncApp.js";

/** A `Task` as the client exposes it. */
export interface Task {
  _id: string;
  group: string;
  title: string | null;
  points: Counter;
  tags: List<string>;
}

/** A task as plain data, comparable between clients and the server. */
export interface TaskSnapshot {
  readonly _id: string;
  readonly group: string;
  readonly title: string | null;
  readonly points: number;
  readonly tags: readonly string[];
}

export interface SyncedClient {
  readonly name: string;
  readonly realm: Realm;
  /** The groups this client subscribes to (its view). */
  readonly groups: readonly string[];
  /** Every error its session reported through onError, in order. */
  readonly errors: SyncError[];
  /** Resolves like `wait`, or rejects naming the client if its session fails first. */
  settle<T>(wait: Promise<T>): Promise<T>;
  close(): void;
}

/** Logs a new anonymous user in through `baseUrl` (the server or a proxy in front of it). */
export async function logInNewUser(
  baseUrl: string,
  appId: string,
  baseFilePath: string,
): Promise<User> {
  const app = new App({ id: appId, baseUrl, baseFilePath });
  return app.logIn(Credentials.anonymous(false));
}

export function groupQuery(groups: readonly string[]): string {
  return groups.map((group) => `group == '${group}'`).join(" OR ");
}

/** Opens a synced realm at `path` for `user`, subscribed to `groups`; resolves once bootstrapped. */
export async function openSyncedClient(options: {
  readonly name: string;
  readonly user: User;
  readonly path: string;
  readonly groups: readonly string[];
}): Promise<SyncedClient> {
  const errors: SyncError[] = [];
  let failed: (error: Error) => void = () => {};
  const failure = new Promise<never>((_resolve, reject) => (failed = reject));
  failure.catch(() => {});
  const realm = await Realm.open({
    schema: [TaskSchema],
    path: options.path,
    sync: {
      user: options.user,
      flexible: true,
      initialSubscriptions: {
        update: (subs, opened) => {
          subs.add(opened.objects("Task").filtered(groupQuery(options.groups)));
        },
      },
      onError: (_session, error) => {
        errors.push(error);
        if (error.isFatal)
          failed(new Error(`${options.name}'s session failed: ${error.message} (${error.code})`));
      },
    },
  });
  return {
    name: options.name,
    realm,
    groups: options.groups,
    errors,
    settle: (wait) => Promise.race([wait, failure]),
    close: () => realm.close(),
  };
}

export function tasksOf(realm: Realm): Task[] {
  return [...realm.objects<Task>("Task").sorted("_id")];
}

export function snapshotTask(task: Task): TaskSnapshot {
  return {
    _id: task._id,
    group: task.group,
    title: task.title ?? null,
    points: task.points.value,
    tags: [...task.tags],
  };
}

export function snapshotRealm(realm: Realm): TaskSnapshot[] {
  return tasksOf(realm).map(snapshotTask);
}

function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value && typeof value === "object" && "toNumber" in value)
    return (value as { toNumber(): number }).toNumber();
  throw new Error(`expected a number, got ${JSON.stringify(value)}`);
}

/** The server's `Task` documents in `groups` (the view's query, run by the data layer). */
export async function serverTasks(
  server: AtollServer,
  groups: readonly string[],
): Promise<TaskSnapshot[]> {
  const documents = await server.data
    .system()
    .db("cars-db")
    .collection("Task")
    .find({ group: { $in: [...groups] } }, { sort: { _id: 1 } });
  return documents.map((doc) => ({
    _id: String(doc._id),
    group: String(doc.group),
    title: typeof doc.title === "string" ? doc.title : null,
    points: numberOf(doc.points ?? 0),
    tags: Array.isArray(doc.tags) ? doc.tags.map(String) : [],
  }));
}

/**
 * Resumes every client, then uploads and downloads on each until a whole round changes no
 * client's state (at least two rounds, so that what one client uploaded last reaches the rest).
 */
export async function quiesce(
  clients: readonly SyncedClient[],
  { maxRounds = 20, waitMs = 30_000 } = {},
): Promise<void> {
  for (const client of clients) client.realm.syncSession?.resume();
  let previous = JSON.stringify(clients.map((c) => snapshotRealm(c.realm)));
  for (let round = 1; round <= maxRounds; round++) {
    for (const client of clients)
      await client.settle(client.realm.syncSession!.uploadAllLocalChanges(waitMs));
    for (const client of clients)
      await client.settle(client.realm.syncSession!.downloadAllServerChanges(waitMs));
    const now = JSON.stringify(clients.map((c) => snapshotRealm(c.realm)));
    if (round >= 2 && now === previous) return;
    previous = now;
  }
  throw new Error(`the clients did not settle within ${maxRounds} rounds`);
}
