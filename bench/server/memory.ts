/**
 * Server memory at rest: the resident set of a process serving examples/cars (SQLite store,
 * function sandbox ready, after one login and one function call, then garbage collection),
 * against a bare Node process measured the same way. Each is measured in a fresh child.
 * Usage: npx tsx --conditions=@atoll/source bench/server/memory.ts
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { fmt, postJson, serveCars } from "./support.js";

const role = process.argv[2];

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (role === "--bare") {
  await settle();
  console.log(JSON.stringify(process.memoryUsage()));
} else if (role === "--server") {
  const app = await serveCars({ ping: "exports = function () { return 1; };" });
  const login = (await postJson(`${app.base}/auth/providers/anon-user/login`, {})) as {
    access_token: string;
  };
  await postJson(`${app.base}/functions/call`, { name: "ping", arguments: [] }, login.access_token);
  await settle();
  console.log(JSON.stringify(process.memoryUsage()));
  await app.close();
} else {
  const self = fileURLToPath(import.meta.url);
  const measure = (arg: string): NodeJS.MemoryUsage =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ["--expose-gc", "--import", "tsx", "--conditions=@atoll/source", self, arg],
        { encoding: "utf8" },
      )
        .trim()
        .split("\n")
        .at(-1) ?? "{}",
    );
  const bare = measure("--bare");
  const server = measure("--server");
  const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;
  console.log(
    `bare Node process (same loader)   rss ${mb(bare.rss)}  heap used ${mb(bare.heapUsed)}`,
  );
  console.log(
    `Atoll serving examples/cars        rss ${mb(server.rss)}  heap used ${mb(server.heapUsed)}`,
  );
  console.log(
    `server at rest: ${mb(server.rss - bare.rss)} above bare Node (${fmt(server.rss / bare.rss)}x its rss)`,
  );
}
