/**
 * `--storage <postgres://…>` on a benchmark's command line: the benchmark measures each
 * figure on SQLite (the baseline, always) and on that PostgreSQL database, in the same run.
 * Each store it hands out is fresh: a new SQLite file, or a new schema of the database that
 * `drop` removes. Without the option only SQLite is measured. The remaining arguments are the
 * benchmark's own (positional) ones.
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { displayStorageSpec } from "../packages/server/src/storage/openStorage.js";

export interface BenchStore {
  readonly spec: string;
  drop(): Promise<void>;
}

export interface BenchEngine {
  /** "sqlite" or "postgres". */
  readonly name: string;
  /** A fresh store; SQLite files go into `dir`. */
  fresh(dir: string): BenchStore;
}

export interface BenchCommandLine {
  /** The arguments other than `--storage <spec>`. */
  readonly args: readonly string[];
  /** SQLite first, then PostgreSQL when `--storage` names it. */
  readonly engines: readonly BenchEngine[];
}

let stores = 0;

const SQLITE: BenchEngine = {
  name: "sqlite",
  fresh(dir) {
    const file = path.join(dir, `atoll-bench-store-${process.pid}-${stores++}.sqlite`);
    return {
      spec: `sqlite:${file}`,
      drop: () =>
        Promise.all(["", "-wal", "-shm"].map((end) => rm(`${file}${end}`, { force: true }))).then(
          () => undefined,
        ),
    };
  },
};

function postgres(url: string): BenchEngine {
  return {
    name: "postgres",
    fresh() {
      const schema = `bench_${randomBytes(5).toString("hex")}`;
      const spec = new URL(url);
      spec.searchParams.set("schema", schema);
      return {
        spec: spec.toString(),
        async drop() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
        },
      };
    },
  };
}

export function benchCommandLine(
  argv: readonly string[] = process.argv.slice(2),
): BenchCommandLine {
  const args: string[] = [];
  const engines: BenchEngine[] = [SQLITE];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg !== "--storage") {
      args.push(arg);
      continue;
    }
    const spec = argv[++i] ?? "";
    if (!/^postgres(ql)?:\/\//.test(spec))
      throw new Error(
        `--storage takes a postgres:// URL (SQLite is always measured), not "${spec}"`,
      );
    engines.push(postgres(spec));
    console.log(`also measuring on ${displayStorageSpec(spec)}`);
  }
  return { args, engines };
}
