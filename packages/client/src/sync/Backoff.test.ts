/** Reconnect delays: jittered within the upper half of each step, growing, capped, resettable. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Backoff } from "./Backoff.js";

describe("Backoff", () => {
  it("keeps each delay in the upper half of a doubling, capped step", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1000, max: 100_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 30,
        }),
        (initialMs, maxMs, draws) => {
          let i = 0;
          const backoff = new Backoff({ initialMs, maxMs, factor: 2 }, () => draws[i++]!);
          draws.forEach((_draw, attempt) => {
            const step = Math.min(maxMs, initialMs * 2 ** attempt);
            const delay = backoff.next();
            expect(delay).toBeGreaterThanOrEqual(Math.floor(step / 2));
            expect(delay).toBeLessThanOrEqual(step);
          });
        },
      ),
    );
  });

  it("starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, factor: 2 }, () => 0.999);
    const first = backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(first);
  });
});
