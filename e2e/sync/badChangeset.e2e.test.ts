/**
 * A download the client cannot apply (injected by a stand-in sync server the app's location
 * points to; login still goes to the real server): the client answers with error 212
 * (bad_changeset), applies nothing of it, reports a fatal SyncError to onError and stops —
 * whether the download is applied at once or waited behind an open write transaction.
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { Credentials, Realm, SyncError } from "@atoll/client";
import type { ClientMessage } from "@atoll/protocol";
import { encodeChangeset } from "@atoll/protocol";
import { CarSchema } from "../support/carModel.js";
import { useStandInSyncServer } from "../support/standInSyncServer.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("a download the client cannot apply", () => {
  const server = useSyncServer();
  let reportedToServer: () => void = () => undefined;
  const standIn = useStandInSyncServer(server, (message, send) => {
    if (message.type === "error") reportedToServer();
    if (message.type === "bind") send({ type: "ident", session: 1, clientFileIdent: 2, salt: 7 });
    if (message.type !== "ident") return;
    const carId = new ObjectId();
    const changeset = encodeChangeset([
      { type: "CreateObject", table: "Car", pk: carId },
      { type: "Update", table: "Car", pk: carId, path: ["make"], value: "Trabant" },
      { type: "Update", table: "Car", pk: carId, path: ["miles"], value: "not a number" },
    ]);
    send({
      type: "download",
      session: 1,
      download: { serverVersion: 5, lastIntegratedClientVersion: 0 },
      upload: { clientVersion: 0, lastIntegratedServerVersion: 0 },
      latestServerVersion: { version: 5, salt: 1 },
      queryVersion: 0,
      batchState: 2,
      progressEstimate: 1,
      changesets: [
        {
          serverVersion: 5,
          lastIntegratedClientVersion: 0,
          originTimestamp: Date.now(),
          originFileIdent: 3,
          changeset,
        },
      ],
    });
  });

  /** A device on the stand-in; `heard` resolves with what it sent once it reported an error. */
  async function device() {
    const app = standIn.app();
    const user = await app.logIn(Credentials.anonymous(false));
    const errors: SyncError[] = [];
    const from = standIn.received.length;
    const heard = new Promise<ClientMessage[]>((resolve) => {
      reportedToServer = () => resolve(standIn.received.slice(from));
    });
    const realm = new Realm({
      schema: [CarSchema],
      sync: { user, flexible: true, onError: (_session, error) => errors.push(error) },
    });
    return { realm, errors, heard };
  }

  it("answers bad_changeset (212), applies nothing and stops the session", async () => {
    const { realm, errors, heard } = await device();
    try {
      const refused = await realm.syncSession!.waitForDownload().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(SyncError);
      expect((refused as SyncError).code).toBe(212);
      expect(errors).toEqual([refused]);
      expect((refused as SyncError).isFatal).toBe(true);
      expect(realm.syncSession!.state).toBe(Realm.SessionState.Invalid);
      expect(realm.objects("Car")).toHaveLength(0);
      const sent = await heard;
      expect(sent.map((m) => m.type)).toEqual(["bind", "ident", "mark", "error"]);
      expect(sent[3]).toMatchObject({ type: "error", code: 212 });
    } finally {
      realm.close();
    }
  });

  it("does the same when the download waited behind a write transaction", async () => {
    const { realm, errors, heard } = await device();
    try {
      realm.beginTransaction();
      const arrived = new Promise<void>((resolve) =>
        realm.syncSession!.addProgressNotification(
          Realm.ProgressDirection.Download,
          Realm.ProgressMode.ReportIndefinitely,
          (transferred: number) => {
            if (transferred > 0) resolve();
          },
        ),
      );
      await arrived;
      expect(errors).toEqual([]);
      expect(realm.syncSession!.state).toBe(Realm.SessionState.Active);
      realm.create("Car", { _id: new ObjectId(), ownerId: "me", make: "Kia" });
      realm.commitTransaction();

      const sent = await heard;
      expect(sent.at(-1)).toMatchObject({ type: "error", code: 212 });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(SyncError);
      expect(errors[0]!.code).toBe(212);
      expect(realm.syncSession!.state).toBe(Realm.SessionState.Invalid);
      expect(realm.objects<{ make: string }>("Car").map((car) => car.make)).toEqual(["Kia"]);
    } finally {
      realm.close();
    }
  });
});
