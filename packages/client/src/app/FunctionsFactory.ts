/**
 * `user.functions`: `call(name, ...args)`, `callFunctionStreaming(name, ...args)` (the raw
 * server-sent events of a streamed call) and, through a Proxy, `functions.<name>(...args)` for
 * any function name, as in Realm JS.
 */
export type Functions = {
  call(name: string, ...args: unknown[]): Promise<unknown>;
  callFunctionStreaming(name: string, ...args: unknown[]): Promise<AsyncIterable<Uint8Array>>;
} & Record<string, (...args: unknown[]) => Promise<unknown>>;

export function createFunctions(
  call: (name: string, args: unknown[]) => Promise<unknown>,
  stream: (name: string, args: unknown[]) => Promise<AsyncIterable<Uint8Array>>,
): Functions {
  const target = {
    call: (name: string, ...args: unknown[]): Promise<unknown> => call(name, args),
    callFunctionStreaming: (name: string, ...args: unknown[]): Promise<AsyncIterable<Uint8Array>> =>
      stream(name, args),
  };
  return new Proxy(target, {
    get(object, property): unknown {
      if (property === "call") return object.call;
      if (property === "callFunctionStreaming") return object.callFunctionStreaming;
      // Not thenable, and no Symbol or Object.prototype members pretending to be functions.
      if (typeof property !== "string" || property === "then" || property in Object.prototype)
        return undefined;
      return (...args: unknown[]) => call(property, args);
    },
  }) as Functions;
}
