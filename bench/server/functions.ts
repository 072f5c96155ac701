/**
 * Function-call latency over HTTP (functions/call, as realm-web sends it) for a trivial
 * function and for the seeds' writeCustomUserData (an upsert through the data layer), with
 * the location request as the HTTP floor. Usage: npx tsx --conditions=@atoll/source bench/server/functions.ts [calls]
 */
import { fmt, interleavedLatencies, median, percentile, postJson, serveCars } from "./support.js";

const CALLS = Number(process.argv[2] ?? 300);

const app = await serveCars({ ping: "exports = function () { return 1; };" });
try {
  const login = (await postJson(`${app.base}/auth/providers/anon-user/login`, {})) as {
    access_token: string;
    user_id: string;
  };
  const call = (name: string, args: unknown[]) =>
    postJson(`${app.base}/functions/call`, { name, arguments: args }, login.access_token);
  let n = 0;
  const { floor, trivial, seeds } = await interleavedLatencies(
    {
      floor: () => fetch(`${app.base}/location`).then((r) => r.text()),
      trivial: () => call("ping", []),
      seeds: () =>
        call("writeCustomUserData", [
          {
            userId: login.user_id,
            favoriteFood: "pizza",
            lastUpdated: { $numberLong: String(n++) },
          },
        ]),
    },
    CALLS,
  );

  const row = (label: string, values: number[]) =>
    `${label.padEnd(28)} p50 ${fmt(median(values), 2)} ms  p99 ${fmt(percentile(values, 99), 2)} ms`;
  console.log(`${CALLS} rounds of sequential calls (one of each per round), after a warm-up`);
  console.log(row("location (HTTP baseline)", floor));
  console.log(row("trivial function", trivial));
  console.log(row("writeCustomUserData (seeds)", seeds));
  console.log(
    `p50 ratios: trivial / location ${fmt(median(trivial) / median(floor))}x, seeds' / trivial ${fmt(median(seeds) / median(trivial))}x`,
  );
} finally {
  await app.close();
}
