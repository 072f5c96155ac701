import { afterEach, expect, it, vi } from "vitest";
import { realmFlxPath } from "./RealmFlxDevice.js";

afterEach(() => vi.unstubAllEnvs());

it("a missing realm-flx fails the test that needs it, saying where it looked", () => {
  vi.stubEnv("REALM_FLX", "/nowhere/realm-flx");
  expect(() => realmFlxPath()).toThrow(
    "The realm-core test client realm-flx is not at /nowhere/realm-flx; build it or set REALM_FLX to its path",
  );
});
