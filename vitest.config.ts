import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources (the "@atoll/source" export condition),
// so the suite runs without a build and a stale dist/ can never hide a change.
export default defineConfig({
  resolve: { conditions: ["@atoll/source"] },
  ssr: { resolve: { conditions: ["@atoll/source"], externalConditions: ["@atoll/source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "e2e/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
