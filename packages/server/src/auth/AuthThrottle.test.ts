import { describe, expect, it } from "vitest";
import { AttemptCounter } from "./AttemptCounter.js";
import { DEFAULT_AUTH_THROTTLE, parseAuthThrottle } from "./AuthThrottle.js";

describe("attempt counter", () => {
  it("refuses a key that used up its window until the window ends, and never counts with max 0", () => {
    let now = 0;
    const counter = new AttemptCounter({ max: 2, windowMs: 1000 }, () => now);
    counter.record("a");
    expect(counter.waitFor("a")).toBe(0);
    now = 400;
    counter.record("a");
    expect(counter.waitFor("a")).toBe(600);
    expect(counter.waitFor("b")).toBe(0);
    now = 1000;
    expect(counter.waitFor("a")).toBe(0);
    const off = new AttemptCounter({ max: 0, windowMs: 1000 }, () => now);
    for (let i = 0; i < 5; i++) off.record("a");
    expect(off.waitFor("a")).toBe(0);
  });

  it("keeps at most maxKeys keys, forgetting the oldest", () => {
    const counter = new AttemptCounter({ max: 1, windowMs: 1000 }, () => 0, 3);
    for (const key of ["a", "b", "c", "d"]) counter.record(key);
    expect(["a", "b", "c", "d"].map((key) => counter.waitFor(key) > 0)).toEqual([
      false,
      true,
      true,
      true,
    ]);
  });
});

describe("throttle spec", () => {
  it("overrides the limits it names and keeps the defaults of the others", () => {
    expect(parseAuthThrottle("login=5/30m, send-address=0/60m")).toEqual({
      ...DEFAULT_AUTH_THROTTLE,
      login: { max: 5, windowMs: 30 * 60_000 },
      sendAddress: { max: 0, windowMs: 60 * 60_000 },
    });
  });

  it("refuses unknown limits and malformed values with a sentence", () => {
    for (const spec of ["logins=5/30m", "login=5", "login=5/0m", "login=-1/5m", ""]) {
      expect(() => parseAuthThrottle(spec)).toThrow(/is not <limit>=<count>\/<minutes>m/);
    }
  });
});
