/**
 * The sync session's controls and observations against a real server: pause/resume with the
 * connection state and its notifications, upload/download progress, and a client process
 * killed with pending writes that uploads them exactly once when reopened.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ObjectId } from "bson";
import { afterAll, describe, expect, it, vi } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import type { ConnectionState } from "@atoll/client";
import type { Car } from "../support/carModel.js";
import { CarSchema, SensorReadingSchema } from "../support/carModel.js";
import { useDevices, useSyncServer } from "../support/syncHarness.js";

const child = fileURLToPath(new URL("../support/pendingWritesChild.ts", import.meta.url));

describe("sync session", () => {
  const server = useSyncServer();
  const device = useDevices(server);

  it("pauses and resumes: offline writes stay local, then reach the other device", async () => {
    const email = `pause-${new ObjectId().toHexString()}@example.com`;
    const phone = await device({ email });
    const tablet = await device({ email });
    const session = phone.realm.syncSession!;
    expect(session.connectionState).toBe(Realm.ConnectionState.Connected);
    const transitions: [ConnectionState, ConnectionState][] = [];
    session.addConnectionNotification((newState, oldState) =>
      transitions.push([newState, oldState]),
    );

    session.pause();
    expect(session.state).toBe(Realm.SessionState.Inactive);
    expect(session.connectionState).toBe(Realm.ConnectionState.Disconnected);
    const carId = new ObjectId();
    phone.realm.write(() =>
      phone.realm.create("Car", { _id: carId, ownerId: phone.user.id, make: "Mini", miles: 9 }),
    );
    await tablet.realm.syncSession!.waitForDownload();
    expect(tablet.realm.objectForPrimaryKey("Car", carId)).toBeNull();

    session.resume();
    expect(session.state).toBe(Realm.SessionState.Active);
    await session.waitForUpload();
    await tablet.realm.syncSession!.waitForDownload();
    expect(tablet.realm.objectForPrimaryKey<Car>("Car", carId)?.make).toBe("Mini");
    expect(transitions).toEqual([
      ["disconnected", "connected"],
      ["connecting", "disconnected"],
      ["connected", "connecting"],
    ]);
  });

  it("refreshes an expired access token and reconnects", async () => {
    const email = `token-${new ObjectId().toHexString()}@example.com`;
    const phone = await device({ email });
    const tablet = await device({ email });
    const session = phone.realm.syncSession!;
    session.pause();
    const before = phone.user.accessToken;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 31 * 60 * 1000);
      const carId = new ObjectId();
      phone.realm.write(() =>
        phone.realm.create("Car", { _id: carId, ownerId: phone.user.id, make: "Seat", miles: 4 }),
      );
      session.resume();
      await session.waitForUpload();
      expect(phone.user.accessToken).not.toBe(before);
      await tablet.realm.syncSession!.waitForDownload();
      expect(tablet.realm.objectForPrimaryKey<Car>("Car", carId)?.make).toBe("Seat");
      expect(phone.errors).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("goes offline when its user logs out", async () => {
    const phone = await device();
    const session = phone.realm.syncSession!;
    expect(session.connectionState).toBe(Realm.ConnectionState.Connected);
    await phone.user.logOut();
    expect(session.connectionState).toBe(Realm.ConnectionState.Disconnected);
    expect(session.state).toBe(Realm.SessionState.Inactive);
  });

  it("reports upload and download progress", async () => {
    const email = `progress-${new ObjectId().toHexString()}@example.com`;
    const phone = await device({ email });
    const tablet = await device({ email });
    const uploads: [number, number][] = [];
    const downloads: number[] = [];
    phone.realm.syncSession!.addProgressNotification(
      Realm.ProgressDirection.Upload,
      Realm.ProgressMode.ReportIndefinitely,
      (transferred: number, transferable: number) => uploads.push([transferred, transferable]),
    );
    tablet.realm.syncSession!.addProgressNotification(
      Realm.ProgressDirection.Download,
      Realm.ProgressMode.ReportIndefinitely,
      (estimate: number) => downloads.push(estimate),
    );
    phone.realm.write(() =>
      phone.realm.create("Car", { _id: new ObjectId(), ownerId: phone.user.id, make: "VW" }),
    );
    await phone.realm.syncSession!.waitForUpload();
    await tablet.realm.syncSession!.waitForDownload();
    const last = uploads[uploads.length - 1]!;
    expect(last[0]).toBeGreaterThan(0);
    expect(last[0]).toBe(last[1]);
    expect(uploads.some(([transferred, transferable]) => transferred < transferable)).toBe(true);
    expect(downloads[downloads.length - 1]).toBe(1);
  });

  describe("a client process killed with pending writes", () => {
    const root = mkdtempSync(join(tmpdir(), "atoll-e2e-crash-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    function runChildUntilKilled(args: string[]): Promise<void> {
      return new Promise((resolve, reject) => {
        const proc = spawn(
          process.execPath,
          ["--conditions=@atoll/source", "--import", "tsx", child, ...args],
          {
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stderr = "";
        proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        proc.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("written")) proc.kill("SIGKILL");
        });
        proc.on("exit", (_code, signal) =>
          signal === "SIGKILL"
            ? resolve()
            : reject(new Error(`the child was not killed: ${stderr}`)),
        );
      });
    }

    it("uploads them exactly once when reopened", async () => {
      const { url, appId } = server();
      const baseFilePath = join(root, "device");
      const email = `crash-${new ObjectId().toHexString()}@example.com`;
      const password = "killed-mid-write";
      const app = new App({ id: appId, baseUrl: url, baseFilePath });
      await app.emailPasswordAuth.registerUser({ email, password });
      const count = 25;
      await runChildUntilKilled([url, appId, baseFilePath, email, password, String(count)]);

      const cars = server().server.data.system().db("cars-db").collection("Car");
      const user = await app.logIn(Credentials.emailPassword(email, password));
      expect(await cars.count({ ownerId: user.id })).toBe(0);
      const config = {
        schema: [CarSchema, SensorReadingSchema],
        sync: { user, flexible: true as const },
      };
      const realm = await Realm.open(config);
      expect(realm.objects("Car")).toHaveLength(count);
      await realm.syncSession!.waitForUpload();
      expect(await cars.count({ ownerId: user.id })).toBe(count);
      realm.close();

      const again = await Realm.open(config);
      await again.syncSession!.waitForUpload();
      await again.syncSession!.waitForDownload();
      expect(again.objects("Car")).toHaveLength(count);
      expect(await cars.count({ ownerId: user.id })).toBe(count);
      again.close();
    });
  });
});
