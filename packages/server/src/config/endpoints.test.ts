/**
 * Loading `https_endpoints/config.json`: defaults as App Services fills them, the older
 * `http_endpoints/` directory, and each mistake stopping start-up with the file and field.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "./ConfigError.js";
import { loadAppConfig } from "./loadAppConfig.js";
import { writeApp } from "./test-support/appFixture.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const FUNCTION = { "functions/hook.js": "exports = function () {};" };

async function load(files: Record<string, unknown>, env: Record<string, string> = {}) {
  const app = await writeApp({ ...FUNCTION, ...files });
  cleanups.push(app.remove);
  return loadAppConfig(app.dir, { env });
}

async function loadError(files: Record<string, unknown>): Promise<ConfigError> {
  const error: unknown = await load(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("https_endpoints/config.json", () => {
  it("loads endpoints with App Services' defaults, and the secret a validating one names", async () => {
    const config = await load(
      {
        "https_endpoints/config.json": [
          { route: "/a", http_method: "GET", function_name: "hook" },
          {
            route: "/b",
            http_method: "*",
            function_name: "hook",
            validation_method: "VERIFY_PAYLOAD",
            secret_name: "hookSecret",
          },
        ],
      },
      { ATOLL_SECRET_HOOKSECRET: "s3" },
    );
    expect(config.endpoints).toEqual([
      {
        route: "/a",
        httpMethod: "GET",
        functionName: "hook",
        validationMethod: "NO_VALIDATION",
        secret: undefined,
        respondResult: false,
        fetchCustomUserData: false,
        createUserOnAuth: false,
        disabled: false,
      },
      expect.objectContaining({ route: "/b", httpMethod: "*", secret: "s3" }),
    ]);
  });

  it("reads realm-cli's http_endpoints/config.json", async () => {
    const config = await load({
      "http_endpoints/config.json": [{ route: "/old", http_method: "POST", function_name: "hook" }],
    });
    expect(config.endpoints?.map((endpoint) => endpoint.route)).toEqual(["/old"]);
  });

  it("stops on a missing secret, an unknown function, a repeated route or a bad method", async () => {
    const secret = await loadError({
      "https_endpoints/config.json": [
        {
          route: "/s",
          http_method: "POST",
          function_name: "hook",
          validation_method: "SECRET_AS_QUERY_PARAM",
          secret_name: "nowhere",
        },
      ],
    });
    expect(secret.message).toContain("https_endpoints/config.json: [0].secret_name: secret");
    expect(secret.message).toContain("ATOLL_SECRET_NOWHERE");
    const missing = await loadError({
      "https_endpoints/config.json": [{ route: "/f", http_method: "GET", function_name: "gone" }],
    });
    expect(missing.message).toContain('function "gone" does not exist');
    const twice = await loadError({
      "https_endpoints/config.json": [
        { route: "/t", http_method: "GET", function_name: "hook" },
        { route: "/t", http_method: "GET", function_name: "hook" },
      ],
    });
    expect(twice.message).toContain("GET /t is defined twice");
    const method = await loadError({
      "https_endpoints/config.json": [{ route: "/m", http_method: "TRACE", function_name: "hook" }],
    });
    expect(method.field).toBe("[0].http_method");
  });

  it("lets a disabled endpoint go without its secret", async () => {
    const config = await load({
      "https_endpoints/config.json": [
        {
          route: "/off",
          http_method: "POST",
          function_name: "hook",
          validation_method: "VERIFY_PAYLOAD",
          secret_name: "unset",
          disabled: true,
        },
      ],
    });
    expect(config.endpoints?.[0]?.disabled).toBe(true);
  });
});
