/**
 * A server killed with SIGKILL in the middle of a stream of uploads restarts on the same
 * SQLite file; the client reconnects with its file identity and cursor and re-sends every
 * changeset it has no acknowledgement for. Each is applied exactly once and nothing
 * acknowledged is lost.
 */
import { decodeChangeset, type Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CARS_APP_DIR } from "../test-support/startSyncServer.js";
import { logIn, syncUrl, SyncTestClient } from "../test-support/SyncTestClient.js";

const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/;
const ADDITIONS = 60;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "atoll-sync-crash-"));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));

/**
 * `atoll serve` as one node process running the sources (no wrapper process in between, so
 * SIGKILL reaches the server itself).
 */
async function serve(): Promise<{ server: ChildProcess; url: string; appId: string }> {
  const server = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@atoll/source",
      CLI,
      "serve",
      "--port",
      "0",
      "--log-level",
      "warn",
      "--app",
      CARS_APP_DIR,
      "--storage",
      `sqlite:${path.join(work, "app.db")}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const found = out.split("\n").find((l) => LISTENING.test(l));
      if (found !== undefined) resolve(found);
    });
    server.once("exit", (code) => reject(new Error(`atoll serve exited (${code}): ${out}`)));
  });
  const [, url = "", appId = ""] = LISTENING.exec(line) ?? [];
  return { server, url, appId };
}

function stop(server: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    server.once("exit", () => resolve());
    server.kill(signal);
  });
}

it("applies every re-sent upload exactly once after the server was killed mid-stream", async () => {
  const first = await serve();
  const login = await logIn(first.url, first.appId);
  const device = await SyncTestClient.connect(syncUrl(first.url, first.appId), login.accessToken);
  await device.bind();
  await device.subscribe(1, { Car: "miles >= 0" });
  const id = new ObjectId();
  const created = device.upload([
    { type: "CreateObject", table: "Car", pk: id },
    { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: login.userId },
    { type: "Update", table: "Car", pk: id, path: ["make"], value: "Skoda" },
    { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(0) },
  ]);
  await device.acknowledged(created);

  const add: Instruction = {
    type: "AddInteger",
    table: "Car",
    pk: id,
    path: ["miles"],
    value: Long.fromNumber(1),
  };
  const versions = Array.from({ length: ADDITIONS }, () => device.upload([add]));
  await device.acknowledged(versions[5]!);
  await stop(first.server, "SIGKILL");
  await device.closed();
  const acknowledged = Math.max(
    ...device.received.flatMap((m) => (m.type === "download" ? [m.upload.clientVersion] : [])),
  );
  expect(acknowledged).toBeLessThan(versions.at(-1)!);

  const second = await serve();
  try {
    const again = await SyncTestClient.connect(
      syncUrl(second.url, second.appId),
      login.accessToken,
    );
    again.cursor = device.cursor;
    await again.bind({ file: device.file!, queryVersion: 1, query: { Car: "miles >= 0" } });
    // Re-send everything not acknowledged before the crash (a client cannot know what the
    // server integrated after its last acknowledgement), plus one already acknowledged.
    for (const version of versions.filter((v) => v >= acknowledged))
      again.upload([add], { clientVersion: version });
    await again.acknowledged(versions.at(-1)!);
    await again.close();

    const reader = await SyncTestClient.connect(
      syncUrl(second.url, second.appId),
      login.accessToken,
    );
    await reader.bind();
    const bootstrap = await reader.subscribe(1, { Car: "miles >= 0" });
    const miles = bootstrap
      .flatMap((b) => b.changesets)
      .flatMap((c) => decodeChangeset(c.changeset))
      .find((i) => i.type === "Update" && i.path[0] === "miles");
    expect(miles?.type === "Update" ? Number(miles.value) : undefined).toBe(ADDITIONS);
    await reader.close();
  } finally {
    await stop(second.server, "SIGTERM");
  }
});
