/**
 * The packages as a user gets them: built, packed with `npm pack`, installed from those
 * tarballs into a fresh project outside the repository, then used from there — the `atoll`
 * command (`init`, `serve`), a synced app with two devices, the server embedded in a program,
 * and a strict type-check (no skipLibCheck) of that code against the installed declarations.
 *
 * The install resolves every dependency the packages declare (from npm's cache where it can)
 * but runs no install scripts: the native addons' compiled binaries are taken from this
 * repository's own install, for the very same versions, instead of being built again.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliProcess } from "../../packages/server/src/cli/test-support/cliProcess.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../..", import.meta.url));
const CONSUMER_SOURCES = fileURLToPath(new URL("./consumer", import.meta.url));
const PACKAGES = ["protocol", "rql", "realm-wire", "server", "client"] as const;
const NATIVE_ADDONS = [
  "better-sqlite3",
  "better-sqlite3-multiple-ciphers",
  "isolated-vm",
  "re2",
] as const;
/** Files that must never be published: tests, their helpers, maps, build state. */
const UNSHIPPABLE =
  /\.test\.|test-support|testSupport|randomOperations|Child\.|\.map$|tsbuildinfo|(^|\/)src\//;

interface PackedPackage {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** npm as a user would run it in `cwd`: without the settings `npm test` hands to its scripts. */
function npm(args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith("npm_") || (name.startsWith("npm_config_") && !name.endsWith("_prefix")),
    ),
  );
  return run("npm", [...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

function versionIn(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

function compiledBinaries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter(
    (file) => file.endsWith(".node") && !file.includes("obj."),
  );
}

let work: string;
let project: string;
let packed: PackedPackage[];
/** The outcome of compiling the consumer's sources into out/ (tsc emits even on errors). */
let typeCheck: { ok: true } | { ok: false; output: string };

beforeAll(async () => {
  await npm(["run", "build"], REPO);
  work = mkdtempSync(join(tmpdir(), "atoll-packaging-"));
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  packed = [];
  for (const name of PACKAGES) {
    const { stdout } = await npm(
      ["pack", "--json", "--pack-destination", tarballs],
      join(REPO, "packages", name),
    );
    packed.push(...(JSON.parse(stdout) as PackedPackage[]));
  }

  project = join(work, "my-project");
  cpSync(CONSUMER_SOURCES, project, { recursive: true });
  const pinnedAddons = Object.fromEntries(
    NATIVE_ADDONS.map((addon) => [addon, versionIn(join(REPO, "node_modules", addon))]),
  );
  writeJson(join(project, "package.json"), {
    name: "my-project",
    private: true,
    type: "module",
    dependencies: Object.fromEntries(
      packed.map((p) => [p.name, `file:${relative(project, join(tarballs, p.filename))}`]),
    ),
    devDependencies: { "@types/node": "^20.19.0" },
    overrides: pinnedAddons,
  });
  writeJson(join(project, "tsconfig.json"), {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2023"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noUncheckedIndexedAccess: true,
      types: ["node"],
      outDir: "out",
    },
    include: ["*.ts"],
  });
  await npm(
    ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"],
    project,
  );
  for (const addon of NATIVE_ADDONS) {
    const built = join(REPO, "node_modules", addon);
    const installed = join(project, "node_modules", addon);
    expect(versionIn(installed)).toBe(versionIn(built));
    for (const binary of compiledBinaries(built)) {
      cpSync(join(built, binary), join(installed, binary), { recursive: true });
    }
  }
  const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
  typeCheck = await run(process.execPath, [tsc, "-p", "tsconfig.json"], { cwd: project }).then(
    () => ({ ok: true }) as const,
    (error: { stdout: string }) => ({ ok: false, output: error.stdout }) as const,
  );
}, 300_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * The module specifiers of import and export statements, dynamic imports and requires (a
 * statement starts its line in compiled output, so words in strings are not taken for one).
 */
const MODULE_SPECIFIERS =
  /^\s*(?:import|export)\s[^;]*?\bfrom\s*"([^"]+)"|^\s*import\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|\brequire\(\s*"([^"]+)"\s*\)/gm;

describe("the packages, packed and installed as users get them,", () => {
  it("ship a README, the licence and compiled code, but no sources, tests, test helpers or maps", () => {
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((p) => `@atoll/${p}`).sort());
    for (const pkg of packed) {
      const files = pkg.files.map((f) => f.path);
      expect(files, pkg.name).toEqual(
        expect.arrayContaining(["README.md", "LICENSE", "package.json", "dist/index.js"]),
      );
      expect(
        files.filter((f) => UNSHIPPABLE.test(f)),
        pkg.name,
      ).toEqual([]);
    }
  });

  it("import only Node's modules and the packages they declare as dependencies", () => {
    for (const name of PACKAGES) {
      const dir = join(REPO, "packages", name);
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      };
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const shipped = packed.find((p) => p.name === `@atoll/${name}`)?.files ?? [];
      const undeclared = new Set<string>();
      for (const { path } of shipped.filter((f) => /\.(js|d\.ts)$/.test(f.path))) {
        const code = readFileSync(join(dir, path), "utf8");
        for (const match of code.matchAll(MODULE_SPECIFIERS)) {
          const specifier = match.slice(1).find((s) => s !== undefined) ?? "";
          if (specifier.startsWith(".")) continue;
          const dependency = /^(@[^/]+\/)?[^/]+/.exec(specifier)?.[0] ?? specifier;
          if (!dependency.startsWith("node:") && !declared.has(dependency)) {
            undeclared.add(`${dependency} (${path})`);
          }
        }
      }
      expect([...undeclared], `@atoll/${name}`).toEqual([]);
    }
  });

  it("expose only their entry points", async () => {
    const script = [
      'await import("@atoll/server");',
      'await import("@atoll/server/AtollServer").then(',
      '  () => console.log("deep import resolved"),',
      "  (error) => console.log(error.code),",
      ");",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      cwd: project,
    });
    expect(stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  });

  it("type-check a strict TypeScript project against their declarations, without skipLibCheck", () => {
    expect(typeCheck).toEqual({ ok: true });
  });

  it("run the atoll command (`npx @atoll/server init`, then `atoll serve`) for two synced devices and a function", async () => {
    const init = await npm(["exec", "--", "@atoll/server", "init", "my-app"], project);
    expect(init.stdout).toContain('Created app "my-app" in my-app');

    // As the owner of the new app would: let every user read the tasks, not only their own.
    const rules = join(project, "my-app/data_sources/mongodb-atlas/my-app-db/Task/rules.json");
    const taskRules = JSON.parse(readFileSync(rules, "utf8")) as {
      roles: { document_filters: { read: unknown } }[];
    };
    for (const role of taskRules.roles) role.document_filters.read = true;
    writeJson(rules, taskRules);

    const atoll = join(project, "node_modules", ".bin", "atoll");
    const server = new CliProcess(
      ["serve", "--app", "my-app", "--port", "0", "--storage", "sqlite:./data/my-app.db"],
      { cwd: project, executable: atoll },
    );
    try {
      const listening = await server.waitForLine(/^Atoll listening on /);
      const baseUrl = /^Atoll listening on (\S+) \(app my-app\)$/.exec(listening)?.[1];
      if (baseUrl === undefined) throw new Error(`unexpected listening line: ${listening}`);
      const app = (mode: string): Promise<{ stdout: string }> =>
        run(process.execPath, ["out/syncedTasks.js", mode, baseUrl, "my-app", "Buy milk"], {
          cwd: project,
        });
      await app("write");
      const { stdout } = await app("read");
      expect(JSON.parse(stdout)).toEqual({
        synced: ["Buy milk"],
        found: [{ summary: "Buy milk" }],
        greeting: "Hello, world!",
      });
    } finally {
      const finished = await server.signal("SIGTERM");
      expect(finished.code, finished.stderr).toBe(0);
    }
  });

  it("link the atoll command from a committed shim, which names a missing build", async () => {
    const manifest = JSON.parse(
      readFileSync(join(REPO, "packages/server/package.json"), "utf8"),
    ) as { bin: { atoll: string } };
    const shim = join("packages/server", manifest.bin.atoll);
    // npm links a workspace's commands when it installs, before any build: only a file in git
    // is there then.
    await expect(
      run("git", ["ls-files", "--error-unmatch", shim], { cwd: REPO }),
    ).resolves.toBeDefined();
    const unbuilt = join(work, "unbuilt/bin/atoll.js");
    cpSync(join(REPO, shim), unbuilt, { recursive: true });
    const outcome = await run(process.execPath, [unbuilt, "--version"]).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("npm run build");
  });

  it("embed the server in a program", async () => {
    const atoll = join(project, "node_modules", ".bin", "atoll");
    await run(process.execPath, [atoll, "init", "embedded-app"], { cwd: project });
    const { stdout } = await run(process.execPath, ["out/embeddedServer.js", "embedded-app"], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toMatchObject({ deployment_model: "GLOBAL" });
  });
});
