import { createOwnerOnlyFile } from "./ownerOnlyFiles.js";
import { PostgresStorage } from "./PostgresStorage.js";
import { SqliteStorage } from "./SqliteStorage.js";
import { StorageError } from "./StorageError.js";
import type { StorageEngine } from "./StorageEngine.js";

/**
 * Opens the engine a spec names: `sqlite:<file>` (created owner-only, with its directories, if
 * missing), `memory` (SQLite in memory, gone when closed), or
 * `postgres://user:pass@host:port/db[?schema=name]` (`postgresql://` too; the store lives in
 * schema `name`, "atoll" by default, created if missing). Errors never repeat a password.
 */
export async function openStorage(spec: string): Promise<StorageEngine> {
  if (spec === "memory") return new SqliteStorage(":memory:");
  if (spec.startsWith("postgres://") || spec.startsWith("postgresql://")) return openPostgres(spec);
  if (spec.startsWith("sqlite:")) {
    const file = spec.slice("sqlite:".length);
    if (file === "")
      throw new StorageError("BadSpec", `storage spec "${spec}" names no file (sqlite:<file>)`);
    try {
      createOwnerOnlyFile(file);
      return new SqliteStorage(file);
    } catch (cause) {
      if (cause instanceof StorageError) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new StorageError("BadSpec", `cannot open SQLite store "${file}": ${reason}`, { cause });
    }
  }
  const shown = spec.replace(/\/\/[^@/]*@/, "//***@");
  throw new StorageError(
    "BadSpec",
    `unknown storage spec "${shown}": use sqlite:<file>, memory or postgres://user:pass@host:port/db`,
  );
}

async function openPostgres(spec: string): Promise<StorageEngine> {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new StorageError("BadSpec", "the PostgreSQL storage spec is not a valid URL");
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  const where = describePostgres(url);
  try {
    return await PostgresStorage.open({
      connectionString: url.toString(),
      ...(schema === undefined ? {} : { schema }),
    });
  } catch (cause) {
    if (cause instanceof StorageError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new StorageError(
      "BadSpec",
      `cannot open PostgreSQL store ${where}: ${redact(reason, url)}`,
      { cause },
    );
  }
}

/** A spec as logs and banners may show it: a PostgreSQL URL without its password. */
export function displayStorageSpec(spec: string): string {
  if (!/^postgres(ql)?:\/\//.test(spec)) return spec;
  try {
    const url = new URL(spec);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return spec.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** `host:port/db`, without user or password. */
export function describePostgres(url: URL): string {
  return `${url.hostname}:${url.port === "" ? "5432" : url.port}${url.pathname}`;
}

function redact(text: string, url: URL): string {
  const password = decodeURIComponent(url.password);
  return password === "" ? text : text.replaceAll(password, "***");
}
