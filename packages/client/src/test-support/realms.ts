/** Test helpers: realm files in a fresh temporary directory, removed after the test file. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";
import { Realm } from "../Realm.js";
import type { Configuration } from "../Configuration.js";

export function useTempDir(): () => string {
  const dir = mkdtempSync(join(tmpdir(), "atoll-client-"));
  let counter = 0;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => join(dir, `test-${++counter}.realm`);
}

/** Opens realms and closes whatever a test left open. */
export function useRealms(): (config: Configuration) => Realm {
  const open: Realm[] = [];
  afterEach(() => {
    for (const realm of open.splice(0)) realm.close();
  });
  return (config) => {
    const realm = new Realm(config);
    open.push(realm);
    return realm;
  };
}

/** Waits until pending listener deliveries (scheduled with setImmediate) have run. */
export function flushListeners(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
