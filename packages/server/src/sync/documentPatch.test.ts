import { SyncProtocolError } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { applyToDocument } from "./documentPatch.js";

describe("applyToDocument", () => {
  it("the first key set in an object's dictionary starts the dictionary (realm-core writes no Clear)", () => {
    const doc = applyToDocument(
      { _id: 1 },
      { type: "Update", table: "Car", pk: null, path: ["attrs", "color"], value: "red" },
    );
    expect(doc).toEqual({ _id: 1, attrs: { color: "red" } });
  });

  it("a field of an embedded object that is null is still not resolvable", () => {
    expect(() =>
      applyToDocument(
        { _id: 1, addr: null },
        { type: "Update", table: "Car", pk: null, path: ["addr", "street"], value: "Main" },
      ),
    ).toThrow(SyncProtocolError);
  });
});
