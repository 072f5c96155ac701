/**
 * Logins per second over HTTP against examples/cars: anonymous and email/password, each
 * compared with the location request (the HTTP floor: routing, JSON, no auth work) measured
 * in the same run. The three alternate in short rounds so that load on a shared machine falls
 * on each alike; figures are medians over the rounds.
 * Usage: npx tsx --conditions=@atoll/source bench/server/logins.ts [rounds]
 */
import { fmt, median, postJson, serveCars, throughput } from "./support.js";

const ROUNDS = Number(process.argv[2] ?? 3);
const SECONDS_PER_ROUND = 1;
const CONCURRENCY = 4;
const EMAIL = "bench@example.com";
const PASSWORD = "benchmark-password";

const app = await serveCars();
try {
  const login = (provider: string, body: unknown) =>
    postJson(`${app.base}/auth/providers/${provider}/login`, body);
  await postJson(`${app.base}/auth/providers/local-userpass/register`, {
    email: EMAIL,
    password: PASSWORD,
  });
  const ops = {
    location: () => fetch(`${app.base}/location`).then((r) => r.text()),
    anonymous: () => login("anon-user", {}),
    emailPassword: () => login("local-userpass", { username: EMAIL, password: PASSWORD }),
  };
  const rates: Record<keyof typeof ops, number[]> = {
    location: [],
    anonymous: [],
    emailPassword: [],
  };
  for (const op of Object.values(ops)) await op();
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(ops) as (keyof typeof ops)[]) {
      rates[name].push(await throughput(ops[name], SECONDS_PER_ROUND, CONCURRENCY));
    }
  }
  const location = median(rates.location);
  const anonymous = median(rates.anonymous);
  const emailPassword = median(rates.emailPassword);
  console.log(
    `concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds of ${SECONDS_PER_ROUND}s each, SQLite store`,
  );
  console.log(`location (HTTP baseline)   ${fmt(location, 0)} req/s`);
  console.log(
    `anonymous login            ${fmt(anonymous, 0)} logins/s  (${fmt(location / anonymous)}x the cost of a location request)`,
  );
  console.log(
    `email/password login       ${fmt(emailPassword, 0)} logins/s  (${fmt(anonymous / emailPassword)}x the cost of an anonymous login)`,
  );
} finally {
  await app.close();
}
