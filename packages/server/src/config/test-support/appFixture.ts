import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's examples/cars app. */
export const CARS_APP_DIR = fileURLToPath(new URL("../../../../../examples/cars", import.meta.url));

/** A minimal valid export: what every error test starts from before breaking one file. */
export const MINIMAL_APP: Readonly<Record<string, unknown>> = {
  "root_config.json": { name: "minimal" },
  "auth/providers.json": { "anon-user": { name: "anon-user", type: "anon-user", disabled: false } },
  "data_sources/mongodb-atlas/config.json": {
    name: "mongodb-atlas",
    type: "mongodb-atlas",
    config: {},
  },
};

/**
 * Writes an app export into a fresh temporary directory. Values that are strings are written
 * as they are (so tests can write broken JSON and function sources), others as JSON; `null`
 * leaves a file of the base out.
 */
export async function writeApp(
  files: Readonly<Record<string, unknown>>,
  base: Readonly<Record<string, unknown>> = MINIMAL_APP,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "atoll-app-"));
  for (const [name, content] of Object.entries({ ...base, ...files })) {
    if (content === null) continue;
    const file = path.join(dir, ...name.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A copy of examples/cars that a test may change. */
export async function copyCarsApp(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "atoll-cars-"));
  await cp(CARS_APP_DIR, dir, { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
