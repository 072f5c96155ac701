/**
 * Opening synced realms: the default file path, one session per file shared by the realms on
 * it, the open behaviours, the `_id` rule for synced types, and a schema the server refuses
 * (a fatal session error that fails `Realm.open` and reaches `onError`).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ObjectId } from "bson";
import { afterEach, describe, expect, it } from "vitest";
import { Credentials, Realm, SyncError } from "@atoll/client";
import type { Configuration, User } from "@atoll/client";
import { useApps } from "../../packages/client/src/test-support/appClients.js";
import { CarSchema, SensorReadingSchema } from "../support/carModel.js";
import { useSyncServer } from "../support/syncHarness.js";

describe("synced realms", () => {
  const server = useSyncServer();
  const newApp = useApps();
  const opened: Realm[] = [];
  afterEach(() => opened.splice(0).forEach((realm) => realm.close()));

  async function logIn(): Promise<User> {
    return newApp(server()).logIn(Credentials.anonymous(false));
  }

  async function config(extra: Partial<Configuration> = {}): Promise<Configuration> {
    const user = await logIn();
    return { schema: [CarSchema, SensorReadingSchema], sync: { user, flexible: true }, ...extra };
  }

  async function open(configuration: Configuration): Promise<Realm> {
    const realm = await Realm.open(configuration);
    opened.push(realm);
    return realm;
  }

  it("lives at <baseFilePath>/mongodb-realm/<appId>/<userId>/flx_sync_default.realm", async () => {
    const user = await logIn();
    const realm = await open({ schema: [CarSchema], sync: { user, flexible: true } });
    expect(realm.path).toBe(join(user.app.fileDirectory, user.id, "flx_sync_default.realm"));
    expect(existsSync(realm.path)).toBe(true);
  });

  it("shares one session between the realms open on one file", async () => {
    const user = await logIn();
    const configuration: Configuration = { schema: [CarSchema], sync: { user, flexible: true } };
    const first = await open(configuration);
    const second = await open(configuration);
    expect(second.syncSession).toBe(first.syncSession);
    first.close();
    expect(second.syncSession?.state).toBe(Realm.SessionState.Active);
    second.write(() =>
      second.create("Car", {
        _id: new ObjectId(),
        ownerId: user.id,
        make: "Opel",
        miles: 1,
      }),
    );
    await second.syncSession!.waitForUpload();
  });

  it("opens at once with openImmediately, and with new Realm", async () => {
    const user = await logIn();
    const configuration: Configuration = {
      schema: [CarSchema, SensorReadingSchema],
      sync: { user, flexible: true },
    };
    const realm = await open({
      ...configuration,
      sync: {
        user,
        flexible: true,
        newRealmFileBehavior: { type: Realm.OpenRealmBehaviorType.OpenImmediately },
      },
    });
    expect(realm.syncSession).not.toBeNull();
    realm.close();
    const direct = new Realm(configuration);
    opened.push(direct);
    expect(direct.syncSession?.state).toBe(Realm.SessionState.Active);
  });

  it("needs an _id primary key on every synced type", async () => {
    const configuration = await config({
      schema: [{ name: "Note", primaryKey: "key", properties: { key: "string" } }],
    });
    await expect(Realm.open(configuration)).rejects.toThrow(
      "There must be a primary key property named '_id' on a synchronized Realm but none was found for type 'Note'",
    );
  });

  it("fails to open, and reports to onError, when the server refuses the schema", async () => {
    const errors: SyncError[] = [];
    const configuration: Configuration = {
      schema: [{ ...CarSchema, properties: { ...CarSchema.properties, color: "string" } }],
      sync: {
        user: await logIn(),
        flexible: true,
        onError: (_session, error) => errors.push(error),
      },
    };
    const refused = await Realm.open(configuration).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SyncError);
    expect((refused as SyncError).isFatal).toBe(true);
    expect((refused as SyncError).message).toMatch(/color/);
    expect(errors).toEqual([refused]);
  });

  it("says subscriptions need flexible sync on a local realm", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atoll-e2e-local-"));
    const local = new Realm({ schema: [CarSchema], path: join(dir, "local.realm") });
    opened.push(local);
    expect(() => local.subscriptions).toThrow(/flexible sync/);
    expect(local.syncSession).toBeNull();
    local.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
