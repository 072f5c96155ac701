/**
 * The migration walk-through of docs/migration-from-atlas.md, end to end: an app whose cars
 * are owned by user id (`owner-read-write`) moves with its users and data (the files of
 * examples/migration, as the Admin API and mongoexport give them) through `atoll users import`
 * and `atoll import`, real child processes; then on fresh `@atoll/client` devices a custom-JWT
 * user signs in and sees exactly their cars, and an email/password user is told to reset the
 * password, resets it through the emailed link, signs in, and sees exactly theirs. Both keep
 * their Atlas user ids.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { App, Credentials, Realm } from "@atoll/client";
import { AtollServer } from "../packages/server/src/AtollServer.js";
import { runCli } from "../packages/server/src/cli/test-support/cliProcess.js";
import { CARS_APP_DIR } from "../packages/server/src/config/test-support/appFixture.js";
import { CarSchema, type Car } from "./support/carModel.js";

const EXAMPLE = fileURLToPath(new URL("../examples/migration", import.meta.url));
const JWT_SECRET = "a-shared-secret-for-the-migration-test-0123456789";
const ANN = "65f0c0ffee0000000000a001";
const BOB = "65f0c0ffee0000000000a002";

const work = mkdtempSync(join(tmpdir(), "atoll-migration-"));
const appDir = join(work, "app");
const store = `sqlite:${join(work, "app.db")}`;
const links: string[] = [];
const realms: Realm[] = [];
let server: AtollServer;

/** examples/cars as its Atlas export would have it with a custom JWT provider enabled. */
function exportedApp(): void {
  cpSync(CARS_APP_DIR, appDir, { recursive: true });
  const providersFile = join(appDir, "auth", "providers.json");
  const providers = JSON.parse(readFileSync(providersFile, "utf8")) as Record<string, unknown>;
  providers["custom-token"] = {
    name: "custom-token",
    type: "custom-token",
    disabled: false,
    config: { audience: [], signingAlgorithm: "HS256", useJWKURI: false },
    secret_config: { signingKeys: ["jwt_signing_key"] },
    metadata_fields: [{ required: false, name: "email", field_name: "email" }],
  };
  writeFileSync(providersFile, JSON.stringify(providers));
  writeFileSync(join(appDir, "secrets.json"), JSON.stringify({ jwt_signing_key: JWT_SECRET }));
}

beforeAll(async () => {
  exportedApp();
  const users = await runCli([
    "users",
    "import",
    join(EXAMPLE, "users.json"),
    "--app",
    appDir,
    "--storage",
    store,
  ]);
  expect(users.code).toBe(0);
  expect(users.stdout).toContain("created 2 users (1 email/password users set a password");
  expect(users.stderr).toContain("an anonymous user cannot be carried over");
  const data = await runCli([
    "import",
    join(EXAMPLE, "Car.jsonl"),
    "--app",
    appDir,
    "--storage",
    store,
  ]);
  expect(data.stdout).toContain("imported 4 documents");
  expect(data.code).toBe(0);
  server = await AtollServer.start({
    appDir,
    port: 0,
    storage: store,
    logLevel: "silent",
    mail: { devPrintLinks: true, print: (line) => links.push(line) },
  });
});
afterEach(() => {
  for (const realm of realms.splice(0)) realm.close();
});
afterAll(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function freshApp(): App {
  return new App({
    id: server.appId,
    baseUrl: server.url,
    baseFilePath: mkdtempSync(join(work, "device-")),
  });
}

/** The cars a fresh device of `user` holds once synced, subscribed to every car it may read. */
async function carsOnDevice(user: Realm.User): Promise<string[]> {
  const realm = await Realm.open({
    schema: [CarSchema],
    sync: {
      user,
      flexible: true,
      initialSubscriptions: {
        update: (subs, r) => void subs.add(r.objects<Car>("Car").filtered("ownerId != $0", "")),
      },
    },
  });
  realms.push(realm);
  await realm.syncSession!.waitForDownload();
  return realm
    .objects<Car>("Car")
    .map((car) => car._id.toHexString())
    .sort();
}

it("a custom-JWT user signs in as their Atlas user and sees exactly their cars", async () => {
  const token = await new SignJWT({ email: "ann@example.com" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("ann-at-the-identity-provider")
    .setExpirationTime("5m")
    .sign(new TextEncoder().encode(JWT_SECRET));
  const user = await freshApp().logIn(Credentials.jwt(token));
  expect(user.id).toBe(ANN);
  expect(await carsOnDevice(user)).toEqual([
    "65f0c0ffee0000000000c001",
    "65f0c0ffee0000000000c002",
  ]);
});

it("an email/password user resets the password once, then signs in as their Atlas user", async () => {
  const app = freshApp();
  await expect(
    app.logIn(Credentials.emailPassword("bob@example.com", "any password")),
  ).rejects.toMatchObject({
    message: expect.stringContaining("password reset required") as unknown,
  });
  await app.emailPasswordAuth.sendResetPasswordEmail({ email: "bob@example.com" });
  const link = new URL(
    links
      .find((line) => line.includes("bob@example.com"))!
      .split(": ")
      .at(-1)!,
  );
  await app.emailPasswordAuth.resetPassword({
    token: link.searchParams.get("token")!,
    tokenId: link.searchParams.get("tokenId")!,
    password: "a new password",
  });
  const user = await app.logIn(Credentials.emailPassword("bob@example.com", "a new password"));
  expect(user.id).toBe(BOB);
  expect(await carsOnDevice(user)).toEqual(["65f0c0ffee0000000000c003"]);
});
