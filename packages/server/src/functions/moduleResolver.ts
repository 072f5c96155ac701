/**
 * `require` for function code: the CommonJS sources of npm modules the operator installed
 * under the app's `functions/node_modules` (as `npm install` in `functions/` does from the
 * export's `functions/package.json`). The sandbox asks for a module by the requiring
 * module's id and the request; the answer is the module's id (its path under `functions/`,
 * never a host path) and its source, which the sandbox evaluates itself.
 *
 * Function code may require the packages package.json lists; those packages may require
 * their own files and dependencies found in `node_modules` directories up to `functions/`.
 * Nothing outside `functions/node_modules` is ever read. What cannot load: Node built-in
 * modules (the sandbox is not Node), native addons (`.node`), and ES-module-only packages.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isBuiltin } from "node:module";
import path from "node:path";
import { AppError } from "@atoll/protocol";

export interface LoadedModule {
  /** The module's path relative to `functions/`, with forward slashes. */
  readonly id: string;
  /** CommonJS source; a JSON file arrives as `module.exports = <json>;`. */
  readonly source: string;
}

const EXTENSIONS = ["", ".js", ".cjs", ".json"];

export class ModuleResolver {
  private readonly functionsDir: string;
  private readonly modulesDir: string;
  private readonly loaded = new Map<string, LoadedModule>();
  private declared: ReadonlySet<string> | undefined;

  constructor(appDir: string) {
    this.functionsDir = path.join(appDir, "functions");
    this.modulesDir = path.join(this.functionsDir, "node_modules");
  }

  /** The package names `functions/package.json` lists as dependencies. */
  dependencies(): ReadonlySet<string> {
    this.declared ??= new Set(Object.keys(readDependencies(this.functionsDir)));
    return this.declared;
  }

  /** `from` is the requiring module's id, or undefined for the function's own code. */
  resolve(from: string | undefined, request: string): LoadedModule {
    const file =
      request.startsWith("./") || request.startsWith("../") || request === "." || request === ".."
        ? this.resolveRelative(from, request)
        : this.resolvePackage(from, request);
    const id = path.relative(this.functionsDir, file).split(path.sep).join("/");
    let loaded = this.loaded.get(id);
    if (loaded === undefined) {
      loaded = { id, source: moduleSource(file) };
      this.loaded.set(id, loaded);
    }
    return loaded;
  }

  private resolveRelative(from: string | undefined, request: string): string {
    if (from === undefined)
      throw cannotLoad(request, "functions may require npm packages only, not files by path");
    const base = path.resolve(this.functionsDir, path.dirname(from), request);
    return this.inside(this.resolveFile(base) ?? this.resolveDirectory(base), request);
  }

  private resolvePackage(from: string | undefined, request: string): string {
    if (isBuiltin(request))
      throw cannotLoad(request, "Node built-in modules are not available in the sandbox");
    const name = packageName(request);
    if (name === undefined) throw cannotLoad(request, "it is not a package name");
    if (from === undefined && !this.dependencies().has(name)) {
      throw cannotLoad(request, "it is not a dependency in functions/package.json");
    }
    const subpath = request.slice(name.length);
    for (const modulesDir of this.searchPath(from)) {
      const packageDir = path.join(modulesDir, name);
      if (!existsSync(packageDir)) continue;
      const found =
        subpath === ""
          ? this.resolveDirectory(packageDir)
          : (this.resolveFile(packageDir + subpath) ?? this.resolveDirectory(packageDir + subpath));
      return this.inside(found, request);
    }
    throw cannotLoad(
      request,
      "it is not installed under functions/node_modules (run npm install in the app's functions/ directory)",
    );
  }

  /** node_modules directories from the requiring module's directory up to `functions/`. */
  private searchPath(from: string | undefined): string[] {
    const dirs: string[] = [];
    let dir =
      from === undefined ? this.functionsDir : path.resolve(this.functionsDir, path.dirname(from));
    while (dir.startsWith(this.modulesDir)) {
      if (path.basename(dir) !== "node_modules") dirs.push(path.join(dir, "node_modules"));
      dir = path.dirname(dir);
    }
    dirs.push(this.modulesDir);
    return dirs;
  }

  private resolveFile(base: string): string | undefined {
    for (const extension of EXTENSIONS) {
      const candidate = base + extension;
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    return undefined;
  }

  private resolveDirectory(dir: string): string | undefined {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      const entry = entryPoint(JSON.parse(readFileSync(manifest, "utf8")) as unknown);
      if (entry !== undefined) {
        const target = path.join(dir, entry);
        const found = this.resolveFile(target) ?? this.resolveFile(path.join(target, "index"));
        if (found !== undefined) return found;
      }
    }
    return this.resolveFile(path.join(dir, "index"));
  }

  /** The file, once its real path is known to lie within functions/node_modules. */
  private inside(file: string | undefined, request: string): string {
    if (file === undefined) throw cannotLoad(request, "no such file");
    const real = realpathSync(file);
    const root = realpathSync(this.modulesDir);
    if (!real.startsWith(root + path.sep))
      throw cannotLoad(request, "it lies outside functions/node_modules");
    if (real.endsWith(".node"))
      throw cannotLoad(request, "native addons cannot run in the sandbox");
    return file;
  }
}

function moduleSource(file: string): string {
  const text = readFileSync(file, "utf8");
  return file.endsWith(".json") ? `module.exports = ${text};` : text;
}

/** `main`, or the CommonJS entry of a string or `"."` `exports`. */
function entryPoint(manifest: unknown): string | undefined {
  if (manifest === null || typeof manifest !== "object") return undefined;
  const { main, exports } = manifest as { main?: unknown; exports?: unknown };
  const fromExports = commonJsTarget(
    exports !== null && typeof exports === "object" && "." in exports
      ? (exports as Record<string, unknown>)["."]
      : exports,
  );
  if (fromExports !== undefined) return fromExports;
  return typeof main === "string" && main !== "" ? main : undefined;
}

function commonJsTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (target === null || typeof target !== "object" || Array.isArray(target)) return undefined;
  const conditions = target as Record<string, unknown>;
  for (const condition of ["require", "node", "default"]) {
    const found = commonJsTarget(conditions[condition]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function packageName(request: string): string | undefined {
  const parts = request.split("/");
  const name = request.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return name === undefined || name === "" || name.startsWith(".") || /[\\:]/.test(name)
    ? undefined
    : name;
}

function readDependencies(functionsDir: string): Record<string, unknown> {
  const file = path.join(functionsDir, "package.json");
  if (!existsSync(file)) return {};
  try {
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { dependencies?: unknown };
    const dependencies = manifest.dependencies;
    return dependencies !== null && typeof dependencies === "object"
      ? (dependencies as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function cannotLoad(request: string, reason: string): AppError {
  return new AppError("FunctionExecutionError", `cannot require('${request}'): ${reason}`);
}
