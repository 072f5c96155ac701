/**
 * What a rule expression can see: the acting user and request, the app's values and
 * environment, and, when a document is being judged, the document before (`prevRoot`) and
 * after (`root`) the change, and a field's value before (`prev`) and after (`this`).
 */
import type { RequestContext, UserContext } from "../callerContext.js";
import type { AppConfig } from "../config/types.js";
import type { Document } from "../data/types.js";

export type CallFunction = (name: string, args: unknown[]) => Promise<unknown>;

export interface RuleContext {
  readonly user: UserContext;
  /** `%%values.<name>`: the app's values, secrets resolved. */
  readonly values: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;
  /** `%%environment.tag` and `%%environment.values.<name>`. */
  readonly environment: {
    readonly tag: string;
    readonly values: Readonly<Record<string, unknown>>;
  };
  readonly request?: RequestContext;
  readonly root?: Document;
  readonly prevRoot?: Document;
  readonly this?: unknown;
  readonly prev?: unknown;
  /** Runs `%function`; without it, `%function` evaluates to false. */
  readonly callFunction?: CallFunction;
}

export function ruleContextFor(
  config: Pick<AppConfig, "values" | "environment" | "environmentValues">,
  user: UserContext,
  options: { readonly request?: RequestContext; readonly callFunction?: CallFunction } = {},
): RuleContext {
  return {
    user,
    values: config.values,
    environment: { tag: config.environment, values: config.environmentValues },
    ...(options.request === undefined ? {} : { request: options.request }),
    ...(options.callFunction === undefined ? {} : { callFunction: options.callFunction }),
  };
}
