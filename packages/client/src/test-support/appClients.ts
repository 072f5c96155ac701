/**
 * Test helpers for App clients: apps whose users live in a fresh temporary directory, and a
 * way to catch an expected rejection as a value.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { App } from "../app/App.js";
import type { TestAppServer } from "./appServer.js";

/** Returns `newApp(server, dir?)`: an App on the server, its files under `dir` or a fresh directory. */
export function useApps(): (server: TestAppServer, baseFilePath?: string) => App {
  const root = mkdtempSync(join(tmpdir(), "atoll-client-apps-"));
  let counter = 0;
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return (server, baseFilePath) =>
    new App({
      id: server.appId,
      baseUrl: server.url,
      baseFilePath: baseFilePath ?? join(root, `app-${++counter}`),
    });
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
