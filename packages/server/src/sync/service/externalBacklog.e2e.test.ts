/**
 * Writes made while the server was down (an import into the store file, say): the server
 * starts without waiting for them (here the change feed is held shut until the device asks),
 * records them into sync history in batches in the background, and every one of them reaches
 * a device, as does a write made after start-up.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { decodeChangeset, type Instruction } from "@atoll/protocol";
import { ObjectId } from "bson";
import { afterEach, expect, it } from "vitest";
import { AtollServer } from "../../AtollServer.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import {
  startSyncServer,
  CARS_APP_DIR,
  type SyncTestServer,
} from "../test-support/startSyncServer.js";
import { SyncTestClient, syncUrl, type TestLogin } from "../test-support/SyncTestClient.js";
import { CARS_NAMESPACE } from "../test-support/carsFixture.js";
import type { DownloadMessage } from "@atoll/protocol";

const BACKLOG = 30_000;

let first: SyncTestServer | undefined;
let server: AtollServer | undefined;
let engine: StorageEngine | undefined;
const clients: SyncTestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server?.close();
  await engine?.close();
  if (first) rmSync(first.dir, { recursive: true, force: true });
});

function createdCars(downloads: readonly DownloadMessage[]): Instruction[] {
  return downloads
    .flatMap((download) => download.changesets)
    .flatMap((changeset) => decodeChangeset(changeset.changeset))
    .filter((instruction) => instruction.type === "CreateObject");
}

/** `storage` whose change feed answers only once `open` is called (an injected stall). */
function withFeedHeld(storage: StorageEngine): { storage: StorageEngine; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  const held: StorageEngine = {
    get: (ns, id) => storage.get(ns, id),
    scan: (ns, query) => storage.scan(ns, query),
    scanStream: (ns, query, pageSize) => storage.scanStream(ns, query, pageSize),
    commit: (batch, options) => storage.commit(batch, options),
    changesSince: async (afterSeq, limit) => {
      await opened;
      return storage.changesSince(afterSeq, limit);
    },
    lastSeq: () => storage.lastSeq(),
    onCommit: (listener, onClosed) => storage.onCommit(listener, onClosed),
    listNamespaces: () => storage.listNamespaces(),
    notify: (channel) => storage.notify(channel),
    listen: (channel, listener) => storage.listen(channel, listener),
    close: () => storage.close(),
  };
  return { storage: held, open };
}

async function device(
  login: TestLogin,
): Promise<{ client: SyncTestClient; bootstrap: Instruction[] }> {
  const client = await SyncTestClient.connect(
    syncUrl(server!.url, server!.appId),
    login.accessToken,
  );
  clients.push(client);
  await client.bind();
  const bootstrap = createdCars(await client.subscribe(1, { Car: `ownerId == "${login.userId}"` }));
  return { client, bootstrap };
}

it("starts on a backlog of writes made while it was down and brings every one to the devices", async () => {
  first = await startSyncServer();
  const login = await first.logIn();
  await first.server.close();
  const file = join(first.dir, "app.db");
  const storage = await openStorage(`sqlite:${file}`);
  const ids = Array.from({ length: BACKLOG }, () => new ObjectId());
  for (let from = 0; from < BACKLOG; from += 10_000) {
    await storage.commit(
      ids.slice(from, from + 10_000).map((_id, i) => ({
        kind: "insert" as const,
        ns: CARS_NAMESPACE,
        doc: { _id, ownerId: login.userId, make: "Ford", miles: from + i },
      })),
    );
  }
  await storage.close();

  engine = await openStorage(`sqlite:${file}`);
  const feed = withFeedHeld(engine);
  server = await AtollServer.start({
    appDir: CARS_APP_DIR,
    port: 0,
    storageEngine: feed.storage,
    logLevel: "silent",
  });
  expect(await server.sync!.history.latestVersion()).toBe(0);
  const bootstrapped = device(login);
  feed.open();
  const { client, bootstrap } = await bootstrapped;
  expect(bootstrap).toHaveLength(BACKLOG);
  expect(new Set(bootstrap.map((i) => String(i.pk)))).toEqual(new Set(ids.map(String)));

  const later = new ObjectId();
  await server.data
    .system()
    .db("cars-db")
    .collection("Car")
    .insertOne({ _id: later, ownerId: login.userId, make: "Kia" });
  const download = await client.next("download", (message) =>
    createdCars([message]).some((i) => later.equals(i.pk as ObjectId)),
  );
  expect(createdCars([download])).toHaveLength(1);
  expect(await server.sync!.history.latestVersion()).toBe(BACKLOG + 1);
  const errors = await server.logs.query({ limit: 100 });
  expect(errors.filter((entry) => entry.message.includes("sync history"))).toEqual([]);
});
