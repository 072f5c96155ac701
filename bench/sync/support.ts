/**
 * Shared pieces of the sync benchmarks: the sync app (examples/cars plus `Task`) served by a
 * server in its own process, so that its memory can be read from outside (/proc); synced
 * realms and raw protocol clients connected to it; memory readings; and a raw WebSocket echo
 * server in its own process as the network baseline.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { User } from "@atoll/client";
import {
  logIn,
  SyncTestClient,
  syncUrl,
} from "../../packages/server/src/sync/test-support/SyncTestClient.js";
import { startServerProcess, type ServerProcess } from "../../e2e/support/faults/serverProcess.js";
import { writeSyncApp, type SyncAppDir } from "../../e2e/support/faults/syncApp.js";
import {
  logInNewUser,
  openSyncedClient,
  type Task,
} from "../../e2e/support/faults/syncedClients.js";

export { percentile, median, fmt } from "../server/support.js";

export interface SyncBench {
  readonly dir: string;
  readonly app: SyncAppDir;
  readonly storageFile: string;
  server: ServerProcess;
  /** A new anonymous user with its own App directory. */
  newUser(): Promise<User>;
  /** An access token of a new anonymous user, for raw clients. */
  token(): Promise<string>;
  /** A raw protocol client, bound as a new file and subscribed to `group`'s tasks. */
  rawClient(group: string, token: string): Promise<SyncTestClient>;
  close(): Promise<void>;
}

let users = 0;

/**
 * The sync app served by a server process, on a SQLite file in a temp dir unless `storage`
 * names another store (a spec from `benchCommandLine`).
 */
export async function startSyncBench(
  options: {
    readonly storageFile?: string;
    readonly storage?: string;
    readonly app?: SyncAppDir;
  } = {},
): Promise<SyncBench> {
  const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-sync-"));
  const app = options.app ?? (await writeSyncApp());
  const storageFile = options.storageFile ?? path.join(dir, "server.sqlite");
  // ATOLL_BENCH_SERVER_PROFILE=<dir>: the server writes a CPU profile there when it stops.
  const profile = process.env.ATOLL_BENCH_SERVER_PROFILE;
  const server = await startServerProcess({
    appDir: app.dir,
    storageFile,
    ...(options.storage === undefined ? {} : { storage: options.storage }),
    nodeOptions: profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : [],
  });
  const bench: SyncBench = {
    dir,
    app,
    storageFile,
    server,
    newUser: () =>
      logInNewUser(bench.server.url, bench.server.appId, path.join(dir, `user-${++users}`)),
    token: async () => (await logIn(bench.server.url, bench.server.appId)).accessToken,
    async rawClient(group, token) {
      const client = await SyncTestClient.connect(
        syncUrl(bench.server.url, bench.server.appId),
        token,
      );
      await client.bind();
      await client.subscribe(1, { Task: `group == '${group}'` });
      return client;
    },
    async close() {
      await bench.server.stop();
      if (!options.app) await app.remove();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return bench;
}

export interface Memory {
  /** Resident set now, bytes. */
  readonly rss: number;
  /** Peak resident set since the process started, bytes. */
  readonly peak: number;
}

/** A process's resident and peak resident memory, from /proc. */
export function memoryOf(pid: number | "self"): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

export const mb = (bytes: number, digits = 1): string => `${(bytes / 2 ** 20).toFixed(digits)} MB`;

export interface EchoServer {
  readonly url: string;
  close(): void;
}

/** A raw `ws` echo server in its own process (the network baseline). */
export function startEchoServer(): Promise<EchoServer> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./echoServer.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (port) =>
      resolve({ url: `ws://127.0.0.1:${String(port)}`, close: () => child.kill() }),
    );
    child.once("exit", (code) => reject(new Error(`the echo server exited (${code})`)));
  });
}

/** Waits until `test` holds, checking after each turn of the event loop. */
export async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((resolve) => setImmediate(resolve));
}

export interface LatencyProbe {
  /** One write on device A; resolves when device B's object listener sees it. */
  readonly writeAndWait: () => Promise<void>;
  readonly close: () => void;
}

/** Two synced devices sharing one task of `group`: A writes its title, B listens to it. */
export async function openLatencyProbe(bench: SyncBench, group: string): Promise<LatencyProbe> {
  const open = async (name: string) =>
    openSyncedClient({
      name,
      user: await bench.newUser(),
      path: path.join(bench.dir, `${group}-${name}.realm`),
      groups: [group],
    });
  const a = await open("a");
  const b = await open("b");
  a.realm.write(() =>
    a.realm.create("Task", { _id: `${group}-probe`, group, points: 0, tags: [] }),
  );
  await a.realm.syncSession!.uploadAllLocalChanges();
  await until(() => b.realm.objectForPrimaryKey("Task", `${group}-probe`) !== null);
  const source = a.realm.objectForPrimaryKey<Task>("Task", `${group}-probe`)!;
  const target = b.realm.objectForPrimaryKey<Task>("Task", `${group}-probe`)!;
  let expected = "";
  let seen: (() => void) | undefined;
  target.addListener(() => {
    if (target.title === expected) seen?.();
  });
  let counter = 0;
  return {
    writeAndWait: () =>
      new Promise((resolve) => {
        expected = `v${++counter}`;
        seen = resolve;
        a.realm.write(() => {
          source.title = expected;
        });
      }),
    close: () => {
      a.close();
      b.close();
    },
  };
}
