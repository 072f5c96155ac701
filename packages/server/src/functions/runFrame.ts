/**
 * One function invocation within a call tree: its host bridge (console into the tree's
 * capture, collection calls on the identity's data service, nested executes through the
 * service), the sandbox run, and its reply turned into EJSON text or an `AppError`.
 */
import { AppError } from "@atoll/protocol";
import type { RequestContext } from "../callerContext.js";
import type { DataService } from "../data/types.js";
import type { CallTree } from "./callTree.js";
import { parseCollectionCall, runCollectionCall } from "./collectionCall.js";
import { decodeCanonical, encodeWrapped } from "./ejsonCodec.js";
import { createHostBridge } from "./hostBridge.js";
import type { FrameState } from "./hostBridge.js";
import { invokeInIsolate } from "./sandbox/invokeInIsolate.js";
import type { ModuleSource } from "./sandbox/invokeInIsolate.js";
import type { CallIdentity } from "./sandboxInit.js";
import type { LoadedModule } from "./moduleResolver.js";

export interface Frame {
  /** The function's name, for messages. */
  readonly name: string;
  readonly module: ModuleSource;
  readonly argsText: string;
  readonly initText: string;
  readonly identity: CallIdentity;
  readonly request: RequestContext | undefined;
}

/** What a frame needs from the function service. */
export interface FrameServices {
  /** The data service for the identity; checks the service name. */
  dataFor(
    service: string,
    identity: CallIdentity,
    request: RequestContext | undefined,
  ): DataService;
  /** `context.functions.execute` from this frame: EJSON `{v}` of the result. */
  execute(name: string, args: unknown[]): Promise<string>;
  /** `context.http`: the sandbox's JSON request, answered with JSON (functionHttp.ts). */
  http(payload: string): Promise<string>;
  /** `require(request)` from the module `from` (undefined: the function's own code). */
  requireModule(from: string | undefined, request: string): LoadedModule;
}

/** Runs the frame; resolves to EJSON `{"v": result}`. */
export async function runFrame(
  tree: CallTree,
  frame: Frame,
  services: FrameServices,
): Promise<string> {
  const state: FrameState = { finished: false, deadline: tree.deadline };
  const bridge = createHostBridge(
    {
      log: (_level, line) => tree.console.add(line),
      db: async (payload) => {
        const call = parseCollectionCall(decodeCanonical(payload, "the collection call"));
        const data = services.dataFor(call.service, frame.identity, frame.request);
        return encodeWrapped(await runCollectionCall(data, call));
      },
      execute: async (payload) => {
        const request = decodeCanonical(payload, "the function call") as {
          name?: unknown;
          args?: unknown;
        };
        if (typeof request.name !== "string" || !Array.isArray(request.args)) {
          throw new AppError(
            "InvalidParameter",
            "context.functions.execute(name, ...args) needs a function name",
          );
        }
        return await services.execute(request.name, request.args);
      },
      http: (payload) => services.http(payload),
      module: (payload) => {
        const { from, request } = JSON.parse(payload) as { from?: unknown; request?: unknown };
        if (typeof request !== "string" || request === "")
          throw new AppError("InvalidParameter", "require(name) needs a module name");
        return JSON.stringify(
          services.requireModule(typeof from === "string" ? from : undefined, request),
        );
      },
    },
    state,
  );
  try {
    const reply = await invokeInIsolate(tree.sandbox, {
      module: frame.module,
      initText: frame.initText,
      argsText: frame.argsText,
      bridge,
      deadline: tree.deadline,
    });
    switch (reply.kind) {
      case "result":
        return reply.text;
      case "definition":
        throw new AppError("FunctionSyntaxError", `${frame.module.file}: ${reply.message}`, {
          details: { file: frame.module.file },
        });
      case "thrown":
        throw new AppError("FunctionExecutionError", reply.info.message, {
          details: {
            function: frame.name,
            ...(reply.info.name === undefined ? {} : { errorName: reply.info.name }),
            ...(reply.info.code === undefined ? {} : { errorCode: reply.info.code }),
            ...(reply.info.stack === undefined ? {} : { stack: reply.info.stack }),
          },
        });
    }
  } finally {
    state.finished = true;
  }
}
