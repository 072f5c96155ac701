/**
 * Several nodes on one database: each server has its own sync lock, entry cache, fan-out and
 * connections, and shares only the database (its batches and wake-ups). A change accepted by
 * any node reaches the devices of every node; a revocation through one node closes the
 * connections of every node at once (the sweep is made too slow to matter here).
 */
import type { Instruction } from "@atoll/protocol";
import { Long, ObjectId } from "bson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AtollServer, AtollServerOptions } from "../../AtollServer.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import {
  logIn,
  syncUrl,
  SyncTestClient,
  type TestLogin,
} from "../../sync/test-support/SyncTestClient.js";

/** Nodes on one database, started by `start`, and an engine on that database to inspect it. */
export interface TestNodes {
  start(count: number, options: Partial<AtollServerOptions>): Promise<AtollServer[]>;
  engine(): StorageEngine;
  stop(): Promise<void>;
}

export function describeAcrossNodes(name: string, nodes: TestNodes): void {
  let servers: AtollServer[] = [];
  const clients: SyncTestClient[] = [];

  beforeAll(async () => {
    servers = await nodes.start(2, { sync: { accessSweepMs: 3_600_000 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await nodes.stop();
  });

  function node(i: number): AtollServer {
    const found = servers[i];
    if (found === undefined) throw new Error(`no node ${i}`);
    return found;
  }

  async function device(on: AtollServer, login: TestLogin): Promise<SyncTestClient> {
    const client = await SyncTestClient.connect(syncUrl(on.url, on.appId), login.accessToken);
    clients.push(client);
    await client.bind();
    await client.subscribe(1, { Car: `ownerId == "${login.userId}"` });
    return client;
  }

  function carInstructions(id: ObjectId, ownerId: string, make: string): Instruction[] {
    return [
      { type: "CreateObject", table: "Car", pk: id },
      { type: "Update", table: "Car", pk: id, path: ["ownerId"], value: ownerId },
      { type: "Update", table: "Car", pk: id, path: ["make"], value: make },
      { type: "Update", table: "Car", pk: id, path: ["miles"], value: Long.fromNumber(1) },
    ];
  }

  /** Resolves once `client` has downloaded an update setting `make` on car `id`. */
  async function receivesMake(client: SyncTestClient, id: ObjectId, make: string): Promise<void> {
    const has = () =>
      client
        .downloadedInstructions()
        .some(
          (i) =>
            i.type === "Update" &&
            i.path[0] === "make" &&
            i.value === make &&
            String(i.pk) === id.toHexString(),
        );
    while (!has()) await client.next("download");
  }

  describe(`one database, two nodes: ${name}`, () => {
    it("a device's upload on one node reaches the same user's device on the other", async () => {
      const login = await logIn(node(0).url, node(0).appId);
      const writer = await device(node(0), login);
      const reader = await device(node(1), login);
      const id = new ObjectId();
      await writer.acknowledged(writer.upload(carInstructions(id, login.userId, "Lada")));
      await receivesMake(reader, id, "Lada");
    });

    it("a write made outside sync through one node reaches a device on the other", async () => {
      const login = await logIn(node(1).url, node(1).appId);
      const reader = await device(node(1), login);
      const id = new ObjectId();
      await node(0)
        .data.system()
        .db("cars-db")
        .collection("Car")
        .insertOne({ _id: id, ownerId: login.userId, make: "Volga", miles: Long.fromNumber(3) });
      await receivesMake(reader, id, "Volga");
    });

    it("uploads racing through both nodes each enter history once, and both devices see all", async () => {
      const login = await logIn(node(0).url, node(0).appId);
      const devices = [await device(node(0), login), await device(node(1), login)];
      const ids = Array.from({ length: 10 }, () => new ObjectId());
      const sent = ids.map((id, i) => {
        const client = devices[i % 2]!;
        return client.acknowledged(client.upload(carInstructions(id, login.userId, `Make ${i}`)));
      });
      await Promise.all(sent);
      // A device is sent what others wrote, never its own changes back.
      for (const [c, client] of devices.entries())
        for (const [i, id] of ids.entries())
          if (i % 2 !== c) await receivesMake(client, id, `Make ${i}`);
      const history = await nodes.engine().scan({ db: "__atoll_sync", coll: "history" });
      const versions = history.map(({ doc }) => doc._id as number).sort((a, b) => a - b);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      const cars = await node(1).data.system().db("cars-db").collection("Car").find({});
      for (const id of ids)
        expect(cars.filter((c) => String(c._id) === id.toHexString())).toHaveLength(1);
    });

    it("a logout through one node closes the session's connection on the other at once", async () => {
      const login = await logIn(node(0).url, node(0).appId);
      const client = await device(node(1), login);
      const response = await fetch(`${node(0).url}/api/client/v2.0/auth/session`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${login.refreshToken}` },
      });
      expect(response.status).toBe(204);
      const error = await client.next("error");
      expect(error).toMatchObject({ code: 203, action: "LogOutUser" });
      await client.closed();
    });
  });
}
