/**
 * `user.functions`: `call(name, ...args)` and, through a Proxy, `functions.<name>(...args)`
 * for any function name, as in Realm JS.
 */
export type Functions = {
  call(name: string, ...args: unknown[]): Promise<unknown>;
} & Record<string, (...args: unknown[]) => Promise<unknown>>;

export function createFunctions(
  call: (name: string, args: unknown[]) => Promise<unknown>,
): Functions {
  const target = {
    call: (name: string, ...args: unknown[]): Promise<unknown> => call(name, args),
  };
  return new Proxy(target, {
    get(object, property): unknown {
      if (property === "call") return object.call;
      // Not thenable, and no Symbol or Object.prototype members pretending to be functions.
      if (typeof property !== "string" || property === "then" || property in Object.prototype)
        return undefined;
      return (...args: unknown[]) => call(property, args);
    },
  }) as Functions;
}
