/**
 * Shared pieces of the server benchmarks: timing loops, percentiles, and a throw-away copy of
 * examples/cars served on a free port with its store in a temporary directory.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AtollServer } from "../../packages/server/src/AtollServer.js";

export const CARS_APP_DIR = fileURLToPath(new URL("../../examples/cars", import.meta.url));

export interface BenchApp {
  readonly dir: string;
  readonly server: AtollServer;
  readonly base: string;
  close(): Promise<void>;
}

/** examples/cars plus `extraFunctions` (name → source), served on SQLite in a temp dir. */
/** `extraFiles`: more files of the export, by path (objects written as JSON). */
export async function serveCars(
  extraFunctions: Record<string, string> = {},
  extraFiles: Record<string, unknown> = {},
): Promise<BenchApp> {
  const dir = await mkdtemp(path.join(tmpdir(), "atoll-bench-"));
  const appDir = path.join(dir, "app");
  await cp(CARS_APP_DIR, appDir, { recursive: true });
  for (const [name, source] of Object.entries(extraFunctions)) {
    await writeFile(path.join(appDir, "functions", `${name}.js`), source);
  }
  for (const [file, content] of Object.entries(extraFiles)) {
    await mkdir(path.dirname(path.join(appDir, file)), { recursive: true });
    await writeFile(
      path.join(appDir, file),
      typeof content === "string" ? content : JSON.stringify(content),
    );
  }
  const server = await AtollServer.start({
    appDir,
    port: 0,
    storage: `sqlite:${path.join(dir, "bench.db")}`,
    logLevel: "silent",
  });
  return {
    dir,
    server,
    base: `${server.url}/api/client/v2.0/app/${server.appId}`,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function postJson(url: string, body: unknown, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return text === "" ? null : JSON.parse(text);
}

/** Runs `op` from `concurrency` loops for about `seconds`; returns completed operations per second. */
export async function throughput(
  op: () => Promise<unknown>,
  seconds: number,
  concurrency: number,
): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

/**
 * Latencies in ms of `count` rounds of sequential calls, one call of each op per round, after
 * `warmup` untimed rounds. Interleaving makes the load of a shared machine fall on every op
 * alike, so their ratios hold even when the absolute figures drift.
 */
export async function interleavedLatencies<K extends string>(
  ops: Readonly<Record<K, () => Promise<unknown>>>,
  count: number,
  warmup = 20,
): Promise<Record<K, number[]>> {
  const names = Object.keys(ops) as K[];
  const out = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    K,
    number[]
  >;
  for (let round = 0; round < warmup + count; round++) {
    for (const name of names) {
      const start = performance.now();
      await ops[name]();
      if (round >= warmup) out[name].push(performance.now() - start);
    }
  }
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);
