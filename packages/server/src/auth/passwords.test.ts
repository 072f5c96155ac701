import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.js";

describe("password hashing", () => {
  it("accepts the password it hashed and rejects any other (generated passwords)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 6, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (password, other) => {
          const stored = await hashPassword(password);
          expect(await verifyPassword(password, stored)).toBe(true);
          if (other !== password) expect(await verifyPassword(other, stored)).toBe(false);
        },
      ),
      { numRuns: 8 },
    );
  });

  it("salts every hash, so equal passwords do not give equal stored values", async () => {
    const [first, second] = await Promise.all([
      hashPassword("same password"),
      hashPassword("same password"),
    ]);
    expect(first).not.toBe(second);
    expect(first).not.toContain("same password");
  });

  it("treats a stored value it did not write as a mismatch, not a crash", async () => {
    expect(await verifyPassword("whatever", "plaintext")).toBe(false);
    expect(await verifyPassword("whatever", "")).toBe(false);
  });
});
