/**
 * Each pending changeset keeps the server version it was based on in the file: a write made
 * offline at download cursor 5 is uploaded with lastIntegratedServerVersion 5 even after the
 * cursor moved on and the realm was closed and opened again (a stand-in sync server that never
 * acknowledges the upload moves the cursor by 5 on every connection).
 */
import { ObjectId } from "bson";
import { describe, expect, it } from "vitest";
import { Credentials, Realm } from "@atoll/client";
import type { UploadMessage } from "@atoll/protocol";
import { CarSchema } from "../support/carModel.js";
import { useStandInSyncServer } from "../support/standInSyncServer.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("the base version of a pending changeset", () => {
  const server = useSyncServer();
  let connections = 0;
  const standIn = useStandInSyncServer(server, (message, send) => {
    if (message.type === "bind") {
      connections++;
      if (message.clientFileIdent === null)
        send({ type: "ident", session: 1, clientFileIdent: 2, salt: 7 });
    }
    if (message.type === "mark") send({ type: "mark", session: 1, requestId: message.requestId });
    if (message.type !== "ident") return;
    const serverVersion = 5 * connections;
    send({
      type: "download",
      session: 1,
      download: { serverVersion, lastIntegratedClientVersion: 0 },
      upload: { clientVersion: 0, lastIntegratedServerVersion: 0 },
      latestServerVersion: { version: serverVersion, salt: 1 },
      queryVersion: 0,
      batchState: 2,
      progressEstimate: 1,
      changesets: [],
    });
  });

  function uploads(): UploadMessage[] {
    return standIn.received.filter((m): m is UploadMessage => m.type === "upload");
  }

  it("is the download cursor at commit time, also after reopening", async () => {
    const app = standIn.app();
    const user = await app.logIn(Credentials.anonymous(false));
    const config = { schema: [CarSchema], sync: { user, flexible: true as const } };
    const first = new Realm(config);
    await first.syncSession!.waitForDownload();
    first.syncSession!.pause();
    first.write(() => first.create("Car", { _id: new ObjectId(), ownerId: user.id, make: "Kia" }));
    first.syncSession!.resume();
    await first.syncSession!.waitForDownload(); // the cursor is now 10
    first.close();

    const second = new Realm(config);
    try {
      await second.syncSession!.waitForDownload(); // the cursor is now 15
      const sent = uploads().flatMap((upload) => upload.changesets);
      expect(sent.map((c) => [c.clientVersion, c.lastIntegratedServerVersion])).toEqual([
        [1, 5],
        [1, 5],
      ]);
    } finally {
      second.close();
    }
  });
});
