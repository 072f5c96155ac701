import { describe, expect, it } from "vitest";
import { DEFAULT_SYNC_LIMITS, parseSyncLimit, syncLimits } from "./syncLimits.js";

describe("sync limits", () => {
  it("reads --sync-limit name=value pairs over the defaults", () => {
    const given = parseSyncLimit("maxPathDepth=4", parseSyncLimit("maxListLength=200000"));
    expect(syncLimits(given)).toEqual({
      ...DEFAULT_SYNC_LIMITS,
      maxListLength: 200_000,
      maxPathDepth: 4,
    });
  });

  it("refuses an unknown name and a value that is not a positive integer", () => {
    expect(() => parseSyncLimit("maxLists=3")).toThrow(
      /unknown sync limit "maxLists"; the limits are maxChangesetInstructions/,
    );
    for (const value of ["0", "-1", "1.5", "", "ten", "1e3"])
      expect(() => parseSyncLimit(`maxListLength=${value}`)).toThrow(/must be a positive integer/);
  });
});
