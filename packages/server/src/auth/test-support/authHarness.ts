/**
 * Auth over stand-ins: in-memory data and scripted functions take the place of the data layer
 * and the sandbox, so that every provider flow (and its failures) runs in milliseconds.
 */
import { AppError } from "@atoll/protocol";
import type { UserContext } from "../../callerContext.js";
import { loadAppConfig } from "../../config/loadAppConfig.js";
import type { AppConfig, AuthProviderConfig } from "../../config/types.js";
import { MemoryDataService } from "../../http/test-support/memoryDataService.js";
import { TEST_APP_DIR } from "../../http/test-support/standInServer.js";
import { AuthService } from "../AuthService.js";
import type { FunctionRunner } from "../FunctionRunner.js";
import type { PasswordHasher } from "../passwords.js";

export type Script = (args: unknown[], user: UserContext) => unknown;

/** The test app's config, optionally with other email/password provider settings. */
export async function testAppConfig(userpassConfig?: Record<string, unknown>): Promise<AppConfig> {
  const config = await loadAppConfig(TEST_APP_DIR);
  if (userpassConfig === undefined) return config;
  const providers = new Map(config.authProviders);
  const userpass = providers.get("local-userpass") as AuthProviderConfig;
  providers.set("local-userpass", { ...userpass, config: userpassConfig });
  return { ...config, authProviders: providers };
}

export async function authHarness(
  options: {
    config?: AppConfig;
    scripts?: Record<string, Script>;
    passwords?: PasswordHasher;
  } = {},
) {
  const data = new MemoryDataService();
  const calls: { name: string; args: unknown[] }[] = [];
  const links: { kind: string; email: string; url: string }[] = [];
  const scripts: Record<string, Script> = { onUserCreation: () => undefined, ...options.scripts };
  const functions: FunctionRunner = {
    execute: async (name, args, user) => {
      calls.push({ name, args });
      const script = scripts[name];
      if (script === undefined)
        throw new AppError("FunctionNotFound", `function not found: '${name}'`);
      return script(args, user);
    },
    callFromClient: () => Promise.reject(new Error("not used here")),
  };
  const config = options.config ?? (await testAppConfig());
  const auth = await AuthService.create({
    config,
    system: data,
    functions,
    ...(options.passwords === undefined ? {} : { passwords: options.passwords }),
    deliverLink: (link) => {
      links.push(link);
    },
  });
  return { auth, data, calls, links };
}
