import { describe, expect, it } from "vitest";
import { clientResetHooks, planClientReset } from "./clientReset.js";
import { ClientResetMode, checkSyncConfiguration } from "./SyncConfiguration.js";
import type { ClientResetConfig } from "./SyncConfiguration.js";

const onManual = (): void => {};
const onFallback = (): void => {};

describe("planning a client reset", () => {
  it.each([
    [undefined, false, { kind: "reset", mode: "recover" }],
    [undefined, true, { kind: "reset", mode: "discard" }],
    [
      { mode: ClientResetMode.RecoverOrDiscardUnsyncedChanges },
      false,
      { kind: "reset", mode: "recover" },
    ],
    [
      { mode: ClientResetMode.RecoverOrDiscardUnsyncedChanges },
      true,
      { kind: "reset", mode: "discard" },
    ],
    [
      { mode: ClientResetMode.RecoverUnsyncedChanges, onFallback },
      false,
      { kind: "reset", mode: "recover" },
    ],
    [
      { mode: ClientResetMode.RecoverUnsyncedChanges, onFallback },
      true,
      { kind: "handOver", callback: onFallback },
    ],
    [{ mode: ClientResetMode.DiscardUnsyncedChanges }, false, { kind: "reset", mode: "discard" }],
    [{ mode: ClientResetMode.DiscardUnsyncedChanges }, true, { kind: "reset", mode: "discard" }],
    [{ mode: ClientResetMode.Manual, onManual }, false, { kind: "handOver", callback: onManual }],
    [{ mode: ClientResetMode.Manual }, true, { kind: "handOver", callback: undefined }],
  ] as const)("%j with recovery disabled %s: %j", (config, disabled, plan) => {
    expect(planClientReset(config as ClientResetConfig | undefined, disabled)).toEqual(plan);
  });
});

describe("the callbacks around a client reset", () => {
  const hooksFor = (config: ClientResetConfig<string>) => {
    const calls: string[] = [];
    const logged: string[] = [];
    const hooks = clientResetHooks<string>({
      config,
      path: "/data/file.realm",
      realm: "live",
      copy: () => {
        calls.push("copy");
        return { realm: "before", dispose: () => calls.push("dispose") };
      },
      log: (message) => logged.push(message),
    });
    return { hooks, calls, logged };
  };

  it("gives onBefore the live realm and the after-callback of the mode taken the copy and the live realm", () => {
    for (const mode of ["recover", "discard"] as const) {
      const { hooks, calls } = hooksFor({
        mode: ClientResetMode.RecoverOrDiscardUnsyncedChanges,
        onBefore: (realm) => calls.push(`onBefore ${realm}`),
        onRecovery: (before, after) => calls.push(`onRecovery ${before} ${after}`),
        onDiscard: (before, after) => calls.push(`onDiscard ${before} ${after}`),
      });
      hooks.before();
      hooks.after(mode);
      const after = mode === "recover" ? "onRecovery" : "onDiscard";
      expect(calls).toEqual(["onBefore live", "copy", `${after} before live`, "dispose"]);
    }
  });

  it("makes no copy when no after-callback wants one, and copies once for a reset begun twice", () => {
    const plain = hooksFor({ mode: ClientResetMode.DiscardUnsyncedChanges });
    plain.hooks.before();
    plain.hooks.after("discard");
    expect(plain.calls).toEqual([]);
    const twice = hooksFor({ mode: ClientResetMode.DiscardUnsyncedChanges, onAfter: () => {} });
    twice.hooks.before();
    twice.hooks.before();
    twice.hooks.after("discard");
    expect(twice.calls).toEqual(["copy", "dispose"]);
  });

  it("logs a callback that throws and still disposes of the copy", () => {
    const { hooks, calls, logged } = hooksFor({
      mode: ClientResetMode.RecoverUnsyncedChanges,
      onBefore: () => {
        throw new Error("before failed");
      },
      onAfter: () => {
        throw new Error("after failed");
      },
    });
    hooks.before();
    hooks.after("recover");
    expect(calls).toEqual(["copy", "dispose"]);
    expect(logged).toEqual([
      "The client reset callback onBefore threw: before failed",
      "The client reset callback onAfter threw: after failed",
    ]);
  });
});

describe("checking sync.clientReset", () => {
  const user = { id: "u1", isLoggedIn: true };
  it("refuses an unknown mode and callbacks that are not functions", () => {
    expect(() =>
      checkSyncConfiguration({ user, flexible: true, clientReset: { mode: "recoverLocal" } }),
    ).toThrow(
      "Expected 'sync.clientReset.mode' to be one of manual, discardUnsyncedChanges, recoverUnsyncedChanges, recoverOrDiscardUnsyncedChanges",
    );
    expect(() =>
      checkSyncConfiguration({
        user,
        flexible: true,
        clientReset: { mode: "manual", onManual: "yes" },
      }),
    ).toThrow("Expected 'sync.clientReset.onManual' to be a function");
    expect(
      checkSyncConfiguration({
        user,
        flexible: true,
        clientReset: { mode: "discardUnsyncedChanges", onAfter: () => {} },
      }),
    ).toBeDefined();
  });
});
