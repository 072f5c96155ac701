import { describe, expect, it } from "vitest";
import { APP_ERRORS, AppError, SYNC_ERRORS, SyncErrorCode } from "./index.js";

describe("error catalogues", () => {
  it("maps every expired or revoked token to 401 InvalidSession, which is what makes clients refresh", () => {
    const error = new AppError("InvalidSession", "invalid session: access token expired");
    expect(error.httpStatus).toBe(401);
    expect(error.code).toBe("InvalidSession");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("AppError");
  });

  it("gives every app error a status and a sentence", () => {
    for (const [code, info] of Object.entries(APP_ERRORS)) {
      expect(info.httpStatus, code).toBeGreaterThanOrEqual(400);
      expect(info.description.length, code).toBeGreaterThan(10);
    }
  });

  it("keeps realm-core's numbers: compensating write 231 is non-fatal with the Atlas message", () => {
    expect(SyncErrorCode.CompensatingWrite).toBe(231);
    expect(SYNC_ERRORS[231].fatal).toBe(false);
    expect(SYNC_ERRORS[231].description).toBe(
      "Client attempted a write that is outside of permissions or query filters; it has been reverted",
    );
    expect(SYNC_ERRORS[226].name).toBe("bad_query");
  });

  it("splits connection-level (1xx) from session-level (2xx) codes", () => {
    for (const code of Object.values(SyncErrorCode)) {
      expect(code >= 100 && code < 300, String(code)).toBe(true);
    }
  });
});
