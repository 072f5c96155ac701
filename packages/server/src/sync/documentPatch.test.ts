import { SyncProtocolError } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import { applyToDocument, replayOnDocument } from "./documentPatch.js";

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

  it("builds, edits and clears lists and dictionaries nested in a mixed value", () => {
    const at = { table: "Car", pk: null };
    const doc = replayOnDocument({ _id: 1 }, [
      { type: "Update", ...at, path: ["data"], value: { $list: true } },
      { type: "ArrayInsert", ...at, path: ["data", 0], value: { $dictionary: true }, priorSize: 0 },
      { type: "Update", ...at, path: ["data", 0, "k"], value: { $list: true } },
      { type: "ArrayInsert", ...at, path: ["data", 0, "k", 0], value: "x", priorSize: 0 },
      { type: "ArrayInsert", ...at, path: ["data", 1], value: { $list: true }, priorSize: 1 },
      { type: "ArrayInsert", ...at, path: ["data", 1, 0], value: 1, priorSize: 0 },
    ]);
    expect(doc).toEqual({ _id: 1, data: [{ k: ["x"] }, [1]] });
    const cleared = replayOnDocument(doc, [
      { type: "Clear", ...at, path: ["data", 1], collectionType: "list" },
      { type: "Clear", ...at, path: ["data", 0, "k"], collectionType: "list" },
    ]);
    expect(cleared).toEqual({ _id: 1, data: [{ k: [] }, []] });
    expect(doc).toEqual({ _id: 1, data: [{ k: ["x"] }, [1]] });
  });

  it("a replay refuses a path that does not resolve, unless told to pass over it", () => {
    const at = { table: "Car", pk: null };
    const cutOff = [
      { type: "Update", ...at, path: ["data", "k"], value: "v" },
      { type: "Update", ...at, path: ["name"], value: "n" },
    ] as const;
    expect(() => replayOnDocument({ _id: 1, data: [] }, cutOff)).toThrow(SyncProtocolError);
    expect(replayOnDocument({ _id: 1, data: [] }, cutOff, { passOver: true })).toEqual({
      _id: 1,
      data: [],
      name: "n",
    });
  });
});
