/**
 * Logins per second over HTTP against examples/cars: anonymous and email/password, each
 * compared with the location request (the HTTP floor: routing, JSON, no auth work) measured
 * in the same run. Usage: npx tsx --conditions=source bench/server/logins.ts [seconds]
 */
import { fmt, postJson, serveCars, throughput } from "./support.js";

const SECONDS = Number(process.argv[2] ?? 3);
const CONCURRENCY = 4;

const app = await serveCars();
try {
  const login = (provider: string, body: unknown) => postJson(`${app.base}/auth/providers/${provider}/login`, body);
  await postJson(`${app.base}/auth/providers/local-userpass/register`, { email: "bench@example.com", password: "benchmark-password" });
  await login("local-userpass", { username: "bench@example.com", password: "benchmark-password" });

  const location = await throughput(() => fetch(`${app.base}/location`).then((r) => r.text()), SECONDS, CONCURRENCY);
  const anonymous = await throughput(() => login("anon-user", {}), SECONDS, CONCURRENCY);
  const emailPassword = await throughput(
    () => login("local-userpass", { username: "bench@example.com", password: "benchmark-password" }),
    SECONDS,
    CONCURRENCY,
  );

  console.log(`concurrency ${CONCURRENCY}, ${SECONDS}s per figure, SQLite store`);
  console.log(`location (HTTP baseline)   ${fmt(location, 0)} req/s`);
  console.log(`anonymous login            ${fmt(anonymous, 0)} logins/s  (${fmt(location / anonymous)}x the cost of a location request)`);
  console.log(`email/password login       ${fmt(emailPassword, 0)} logins/s  (${fmt(anonymous / emailPassword)}x the cost of an anonymous login)`);
} finally {
  await app.close();
}
