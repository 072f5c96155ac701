/**
 * Pausing and resuming faster than a connection opens never leaves two connections bound to
 * one file: an attempt overtaken by a pause or a newer attempt closes its socket unbound.
 * (Two bound connections would each download the same history into the file, and an integer
 * addition applied twice would no longer match the server.)
 */
import { setTimeout as delay } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Credentials, Realm } from "@atoll/client";
import { CarSchema } from "../support/carModel.js";
import { useStandInSyncServer } from "../support/standInSyncServer.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("pause and resume in quick succession", () => {
  const server = useSyncServer();
  const standIn = useStandInSyncServer(server, (message, send) => {
    if (message.type === "bind" && message.clientFileIdent === null)
      send({ type: "ident", session: 1, clientFileIdent: 2, salt: 7 });
  });

  it("binds one connection only, the last one asked for", async () => {
    const app = standIn.app();
    const user = await app.logIn(Credentials.anonymous(false));
    const realm = new Realm({ schema: [CarSchema], sync: { user, flexible: true } });
    try {
      const session = realm.syncSession!;
      for (let i = 0; i < 5; i++) {
        session.pause();
        session.resume();
      }
      await delay(1000);
      const binds = standIn.received.filter((message) => message.type === "bind");
      expect(binds).toHaveLength(1);
      expect(session.connectionState).toBe(Realm.ConnectionState.Connected);
    } finally {
      realm.close();
    }
  });
});
