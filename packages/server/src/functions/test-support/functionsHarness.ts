/**
 * Test harness: an app export with the given functions written to a temporary directory,
 * loaded by the real config loader, served by a FunctionService over the real DataLayer on
 * in-memory SQLite.
 */
import type { RequestContext, UserContext } from "../../callerContext.js";
import { loadAppConfig } from "../../config/loadAppConfig.js";
import type { AppConfig } from "../../config/types.js";
import { writeApp } from "../../config/test-support/appFixture.js";
import { DataLayer } from "../../data/DataLayer.js";
import { openStorage } from "../../storage/openStorage.js";
import type { StorageEngine } from "../../storage/StorageEngine.js";
import { FunctionService } from "../FunctionService.js";
import type { FunctionServiceOptions } from "../FunctionService.js";

export interface FunctionSpec {
  readonly source: string;
  readonly private?: boolean;
  readonly run_as_system?: boolean;
  readonly run_as_user_id?: string;
  readonly run_as_user_id_script_source?: string;
  readonly can_evaluate?: unknown;
}

export interface Harness {
  readonly service: FunctionService;
  readonly data: DataLayer;
  readonly config: AppConfig;
  close(): Promise<void>;
}

export function userNamed(id: string, customData: Record<string, unknown> = {}): UserContext {
  return {
    id,
    type: "normal",
    data: { name: `user ${id}` },
    custom_data: customData,
    identities: [{ id: `anon-${id}`, provider_type: "anon-user" }],
  };
}

export const REQUEST: RequestContext = {
  remoteIPAddress: "203.0.113.7",
  requestHeaders: { "User-Agent": ["harness/1.0"] },
  httpMethod: "POST",
  rawQueryString: "",
  httpReferrer: "",
  httpUserAgent: "harness/1.0",
};

export async function startHarness(
  functions: Readonly<Record<string, FunctionSpec>>,
  options: {
    files?: Readonly<Record<string, unknown>>;
    service?: Partial<Omit<FunctionServiceOptions, "config" | "data">>;
  } = {},
): Promise<Harness> {
  const files: Record<string, unknown> = {
    "functions/config.json": Object.entries(functions).map(([name, spec]) => ({
      name,
      private: spec.private ?? false,
      run_as_system: spec.run_as_system ?? false,
      run_as_user_id: spec.run_as_user_id ?? "",
      run_as_user_id_script_source: spec.run_as_user_id_script_source ?? "",
      can_evaluate: spec.can_evaluate ?? {},
    })),
    ...options.files,
  };
  for (const [name, spec] of Object.entries(functions)) files[`functions/${name}.js`] = spec.source;
  const app = await writeApp(files);
  let storage: StorageEngine | undefined;
  try {
    const config = await loadAppConfig(app.dir);
    storage = await openStorage("memory");
    const data = new DataLayer(storage, config);
    const service = new FunctionService({ config, data, timeoutMs: 5000, ...options.service });
    const opened = storage;
    return {
      service,
      data,
      config,
      close: async () => {
        service.close();
        await opened.close();
        await app.remove();
      },
    };
  } catch (error) {
    await storage?.close();
    await app.remove();
    throw error;
  }
}
