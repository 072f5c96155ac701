import { rm } from "node:fs/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./ConfigError.js";
import { loadAppConfig } from "./loadAppConfig.js";
import { writeApp } from "./test-support/appFixture.js";

/** Every file of an export a user edits by hand. */
const FILES = [
  "root_config.json",
  "auth/providers.json",
  "auth/custom_user_data.json",
  "functions/config.json",
  "data_sources/mongodb-atlas/config.json",
  "data_sources/mongodb-atlas/default_rule.json",
  "data_sources/mongodb-atlas/db/coll/rules.json",
  "data_sources/mongodb-atlas/db/coll/schema.json",
  "data_sources/mongodb-atlas/db/coll/relationships.json",
  "sync/config.json",
  "values/v.json",
  "environments/no-environment.json",
  "secrets.json",
] as const;

describe("loading arbitrary content", () => {
  it("any JSON value in any config file loads or fails with a ConfigError naming that file, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FILES),
        fc.jsonValue({ maxDepth: 4 }),
        async (file, value) => {
          const app = await writeApp({ [file]: JSON.stringify(value) });
          try {
            await loadAppConfig(app.dir, { env: {} });
          } catch (error) {
            expect(error).toBeInstanceOf(ConfigError);
            expect((error as ConfigError).file).toBe(file);
          } finally {
            await rm(app.dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("shapes close to valid ones fail on the file they are in", async () => {
    const role = fc.record(
      {
        name: fc.oneof(fc.string(), fc.integer()),
        apply_when: fc.oneof(
          fc.boolean(),
          fc.constant({}),
          fc.constant({ "%%user.id": "x" }),
          fc.string(),
        ),
        document_filters: fc.record({
          read: fc.oneof(fc.boolean(), fc.constant({ owner: "%%user.id" }), fc.constant("%%nope")),
        }),
        read: fc.oneof(fc.boolean(), fc.constant({}), fc.integer()),
        applyWhen: fc.constant({}),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(role, { maxLength: 3 }), async (roles) => {
        const file = "data_sources/mongodb-atlas/db/coll/rules.json";
        const app = await writeApp({ [file]: { roles } });
        try {
          const config = await loadAppConfig(app.dir, { env: {} });
          expect(
            config.dataSources.get("mongodb-atlas")?.collections.get("db.coll")?.rules?.roles,
          ).toHaveLength(roles.length);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).file).toBe(file);
          expect((error as ConfigError).field).toMatch(/^roles\[\d\]/);
        } finally {
          await rm(app.dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 },
    );
  });
});
