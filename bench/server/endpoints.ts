/**
 * HTTPS endpoint latency against functions/call for the same trivial function, both with the
 * caller's access token, and an endpoint whose payload is verified with HMAC-SHA256; the
 * location request is the HTTP floor. Usage: npx tsx --conditions=@atoll/source bench/server/endpoints.ts [calls]
 */
import { createHmac } from "node:crypto";
import { fmt, interleavedLatencies, median, percentile, postJson, serveCars } from "./support.js";

const CALLS = Number(process.argv[2] ?? 300);
const SECRET = "bench-endpoint-secret";
process.env.ATOLL_SECRET_BENCH_SECRET = SECRET;

const app = await serveCars(
  { ping: "exports = function () { return 1; };" },
  {
    "https_endpoints/config.json": [
      { route: "/ping", http_method: "POST", function_name: "ping", respond_result: true },
      {
        route: "/signed",
        http_method: "POST",
        function_name: "ping",
        respond_result: true,
        validation_method: "VERIFY_PAYLOAD",
        secret_name: "bench_secret",
      },
    ],
  },
);
try {
  const login = (await postJson(`${app.base}/auth/providers/anon-user/login`, {})) as {
    access_token: string;
  };
  const endpoint = `${app.server.url}/app/${app.server.appId}/endpoint`;
  const body = JSON.stringify({ event: "push", items: [1, 2, 3] });
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const send = async (route: string, headers: Record<string, string>) => {
    const response = await fetch(`${endpoint}${route}`, { method: "POST", headers, body });
    if (!response.ok) throw new Error(`${route} answered ${response.status}`);
    return response.text();
  };
  const auth = { authorization: `Bearer ${login.access_token}` };
  const { floor, call, endpointCall, signed } = await interleavedLatencies(
    {
      floor: () => fetch(`${app.base}/location`).then((r) => r.text()),
      call: () =>
        postJson(`${app.base}/functions/call`, { name: "ping", arguments: [] }, login.access_token),
      endpointCall: () => send("/ping", auth),
      signed: () => send("/signed", { "endpoint-signature": signature, ...auth }),
    },
    CALLS,
  );
  const row = (label: string, values: number[]) =>
    `${label.padEnd(34)} p50 ${fmt(median(values), 2)} ms  p99 ${fmt(percentile(values, 99), 2)} ms`;
  console.log(`${CALLS} rounds of sequential calls (one of each per round), after a warm-up`);
  console.log(row("location (HTTP baseline)", floor));
  console.log(row("functions/call, trivial function", call));
  console.log(row("endpoint, same function", endpointCall));
  console.log(row("endpoint, HMAC-verified payload", signed));
  console.log(
    `p50 ratios: endpoint / functions/call ${fmt(median(endpointCall) / median(call), 2)}x, signed / endpoint ${fmt(median(signed) / median(endpointCall), 2)}x`,
  );
} finally {
  await app.close();
}
