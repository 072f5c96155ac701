/**
 * One function invocation inside a leased isolate: a fresh context, the runtime, the
 * function's module factory, then `run` with the bridge references, and the reply decoded.
 *
 * Every step inside the isolate gets the time left until the call's deadline as its
 * isolated-vm timeout. That bounds synchronous code only; code resumed later by a host
 * callback's answer is bounded by the caller's deadline timer, which disposes the isolate.
 * Errors thrown here are isolated-vm's (timeout, disposal, memory limit) or a syntax error;
 * the caller maps them, knowing whether its own timer fired.
 */
import ivm from "isolated-vm";
import type { SandboxIsolate } from "./SandboxIsolate.js";

/** Host functions the context may call; they answer "R"/"E"-prefixed strings and never throw. */
export interface HostBridge {
  readonly sync: (op: unknown, payload: unknown) => string;
  readonly async: (op: unknown, payload: unknown) => Promise<string>;
}

export interface ModuleSource {
  /** Cache key of the compiled module within an isolate. */
  readonly key: string;
  readonly source: string;
  readonly file: string;
}

export interface ThrownInfo {
  readonly message: string;
  readonly name?: string;
  readonly stack?: string;
  readonly code?: string;
}

export type SandboxReply =
  | { readonly kind: "result"; readonly text: string }
  | { readonly kind: "thrown"; readonly info: ThrownInfo }
  | { readonly kind: "definition"; readonly message: string };

export interface Invocation {
  readonly module: ModuleSource;
  /** EJSON of the call's init: user, request, values, environment, app, services, limits. */
  readonly initText: string;
  /** EJSON array of the arguments. */
  readonly argsText: string;
  readonly bridge: HostBridge;
  readonly deadline: number;
}

export async function invokeInIsolate(
  sandbox: SandboxIsolate,
  invocation: Invocation,
): Promise<SandboxReply> {
  const timeLeft = () => Math.max(1, invocation.deadline - Date.now());
  const moduleScript = await sandbox.moduleScript(
    invocation.module.key,
    invocation.module.source,
    invocation.module.file,
  );
  const runtimeScript = await sandbox.runtimeScript();
  const context = await sandbox.takeContext();
  const references: { release(): void }[] = [];
  const keep = <T extends { release(): void }>(reference: T): T => {
    references.push(reference);
    return reference;
  };
  try {
    const run = keep(await runtimeScript.run(context, { reference: true, timeout: timeLeft() }));
    const factory = keep(await moduleScript.run(context, { reference: true, timeout: timeLeft() }));
    const syncBridge = keep(new ivm.Reference(invocation.bridge.sync));
    const asyncBridge = keep(new ivm.Reference(invocation.bridge.async));
    const reply: unknown = await run.apply(
      undefined,
      [syncBridge, asyncBridge, invocation.initText, factory.derefInto(), invocation.argsText],
      { result: { promise: true }, timeout: timeLeft() },
    );
    return decodeReply(reply);
  } finally {
    for (const reference of references) reference.release();
    context.release();
  }
}

function decodeReply(reply: unknown): SandboxReply {
  if (typeof reply !== "string" || reply.length === 0) {
    return { kind: "thrown", info: { message: "the sandbox returned no result" } };
  }
  const body = reply.slice(1);
  switch (reply[0]) {
    case "R":
      return { kind: "result", text: body };
    case "D":
      return { kind: "definition", message: messageOf(body) };
    default:
      return { kind: "thrown", info: thrownInfo(body) };
  }
}

function thrownInfo(json: string): ThrownInfo {
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed !== null && typeof parsed === "object") {
      const { message, name, stack, code } = parsed as Record<string, unknown>;
      return {
        message: typeof message === "string" ? message : "the function failed",
        ...(typeof name === "string" ? { name } : {}),
        ...(typeof stack === "string" ? { stack } : {}),
        ...(typeof code === "string" ? { code } : {}),
      };
    }
  } catch {
    // fall through: an unreadable description still reports a failure
  }
  return { message: "the function failed" };
}

function messageOf(json: string): string {
  return thrownInfo(json).message;
}
