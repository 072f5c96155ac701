/**
 * How much a fuzzer runs. Inside `npm test` every fuzzer runs its small suite budget with a
 * fixed seed, so the suite stays quick and a failure reproduces on every machine; `npm run fuzz`
 * (which sets ATOLL_FUZZ=long) runs each one far longer from a fresh seed, which fast-check
 * prints with any counterexample so that it can be replayed by passing it here as `seed`.
 */
import type { Parameters } from "fast-check";

const SUITE_SEED = 20261207;
const LONG_RUN_FACTOR = 50;

export function isLongFuzzRun(): boolean {
  return process.env["ATOLL_FUZZ"] === "long";
}

export function fuzzParameters<T>(suiteRuns: number, overrides: Parameters<T> = {}): Parameters<T> {
  if (isLongFuzzRun()) return { numRuns: suiteRuns * LONG_RUN_FACTOR, ...overrides };
  return { numRuns: suiteRuns, seed: SUITE_SEED, ...overrides };
}
