/**
 * Merging concurrent changes to lists and dictionaries inside mixed values: both arrival
 * orders of two concurrent uploads end in the same document.
 */
import type { Instruction, InstructionValue, Path } from "@atoll/protocol";
import { Long } from "bson";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../../protocol/src/test-support/fuzzParameters.js";
import type { Writer } from "./clock.js";
import {
  integrateUpload,
  objectKey,
  type HistoryEntry,
  type ObjectState,
} from "./integrateUpload.js";

const table = "Item";
const pk = "x";

class Server {
  readonly history: HistoryEntry[] = [];
  readonly objects = new Map<string, ObjectState>();
  readonly dropped: string[] = [];

  submit(writer: Writer, instructions: readonly Instruction[]): void {
    const version = this.history.length + 1;
    const result = integrateUpload({ writer, instructions }, version, this.objects, this.history);
    for (const [k, { state }] of result.objects) this.objects.set(k, state);
    this.dropped.push(...result.dropped.map((d) => d.reason));
    this.history.push({
      version,
      originIdent: writer.ident,
      originTimestamp: writer.ts,
      instructions: result.effective,
    });
  }

  get doc() {
    return this.objects.get(objectKey(table, pk))?.doc;
  }
}

const update = (path: Path, value: InstructionValue): Instruction => ({
  type: "Update",
  table,
  pk,
  path,
  value,
});
const insert = (path: Path, value: InstructionValue, priorSize: number): Instruction => ({
  type: "ArrayInsert",
  table,
  pk,
  path,
  value,
  priorSize,
});
const erase = (path: Path, priorSize: number): Instruction => ({
  type: "ArrayErase",
  table,
  pk,
  path,
  priorSize,
});
const one = Long.fromNumber(1);

/** An object whose mixed `data` is `{ tags: ["a", "b"], n: 1 }`. */
function seeded(): Server {
  const server = new Server();
  server.submit({ ts: 1, ident: 9, baseVersion: 0 }, [
    { type: "CreateObject", table, pk },
    update(["data"], { $dictionary: true }),
    update(["data", "tags"], { $list: true }),
    insert(["data", "tags", 0], "a", 0),
    insert(["data", "tags", 1], "b", 1),
    update(["data", "n"], one),
  ]);
  return server;
}

type Upload = { writer: Writer; instructions: Instruction[] };

function bothOrders(a: Upload, b: Upload): [Server, Server] {
  const ab = seeded();
  ab.submit(a.writer, a.instructions);
  ab.submit(b.writer, b.instructions);
  const ba = seeded();
  ba.submit(b.writer, b.instructions);
  ba.submit(a.writer, a.instructions);
  return [ab, ba];
}

const early = (ident: number): Writer => ({ ts: 2, ident, baseVersion: 1 });
const late = (ident: number): Writer => ({ ts: 5, ident, baseVersion: 1 });

describe("merging lists and dictionaries inside mixed values", () => {
  it("keeps concurrent inserts into the same nested list from both devices", () => {
    const [ab, ba] = bothOrders(
      { writer: early(2), instructions: [insert(["data", "tags", 0], "x", 2)] },
      { writer: late(3), instructions: [insert(["data", "tags", 2], "y", 2)] },
    );
    expect(ab.doc).toEqual(ba.doc);
    expect(ab.doc?.data).toEqual({ tags: ["x", "a", "b", "y"], n: 1 });
  });

  it("orders concurrent writes to the same nested key by last writer, in both orders", () => {
    const [ab, ba] = bothOrders(
      { writer: late(2), instructions: [update(["data", "n"], "late")] },
      { writer: early(3), instructions: [update(["data", "n"], "early")] },
    );
    expect(ab.doc).toEqual(ba.doc);
    expect(ab.doc?.data).toMatchObject({ n: "late" });
  });

  it("a replacement by a new collection wins over concurrent edits inside the old one, even newer ones", () => {
    const replace: Upload = {
      writer: early(2),
      instructions: [update(["data"], { $list: true }), insert(["data", 0], "fresh", 0)],
    };
    const edit: Upload = {
      writer: late(3),
      instructions: [
        insert(["data", "tags", 0], "x", 2),
        erase(["data", "tags", 2], 3),
        update(["data", "n"], Long.fromNumber(2)),
      ],
    };
    const [ab, ba] = bothOrders(replace, edit);
    expect(ab.doc?.data).toEqual(["fresh"]);
    expect(ba.doc?.data).toEqual(["fresh"]);
  });

  it("a device's own edits after its own replacement stand", () => {
    const server = seeded();
    server.submit(early(2), [update(["data", "n"], Long.fromNumber(7))]);
    // Device 3 had not seen device 2's write: it replaces data and edits its new dictionary.
    server.submit(late(3), [update(["data"], { $dictionary: true }), update(["data", "k"], "v")]);
    expect(server.doc?.data).toEqual({ k: "v" });
  });

  it("a change whose path a concurrent scalar cut off is dropped, not refused", () => {
    const [ab, ba] = bothOrders(
      { writer: early(2), instructions: [update(["data"], "flat")] },
      {
        writer: late(3),
        instructions: [insert(["data", "tags", 0], "x", 2), update(["data", "k"], "v")],
      },
    );
    expect(ab.doc?.data).toBe("flat");
    expect(ba.doc?.data).toBe("flat");
  });

  it("an embedded object set to null wins over a concurrent newer edit inside it, in both orders", () => {
    const withBox = (): Server => {
      const server = seeded();
      server.submit({ ts: 1, ident: 9, baseVersion: 1 }, [
        update(["box"], { $object: true }),
        update(["box", "n"], one),
      ]);
      return server;
    };
    const remove: Upload = {
      writer: { ts: 2, ident: 2, baseVersion: 2 },
      instructions: [update(["box"], null)],
    };
    const edit: Upload = {
      writer: { ts: 5, ident: 3, baseVersion: 2 },
      instructions: [update(["box", "n"], Long.fromNumber(2))],
    };
    for (const [first, second] of [
      [remove, edit],
      [edit, remove],
    ] as const) {
      const server = withBox();
      server.submit(first.writer, first.instructions);
      server.submit(second.writer, second.instructions);
      expect(server.doc?.box).toBe(null);
    }
    // Also when the server did not read the concurrent history (no list or mixed change).
    const server = withBox();
    server.submit(remove.writer, remove.instructions);
    const result = integrateUpload(
      { writer: edit.writer, instructions: edit.instructions },
      4,
      server.objects,
      [],
    );
    expect(result.dropped.map((d) => d.reason)).toEqual([
      "a concurrent write replaced a value on its path",
    ]);
  });

  it("any two concurrent uploads of replacements and nested edits converge (generated)", () => {
    const edit = fc.oneof(
      fc.constant(update(["data"], { $list: true })),
      fc.constant(update(["data"], { $dictionary: true })),
      fc.constant(update(["data"], "flat")),
      fc.constant(update(["data"], new Date(0))),
      fc.constant(update(["data", "tags"], { $dictionary: true })),
      fc.constant(update(["data", "n"], Long.fromNumber(3))),
      fc.nat(2).map((i) => insert(["data", "tags", i], "x", 2)),
      fc.nat(1).map((i) => erase(["data", "tags", i], 2)),
      fc.nat(1).map((i) => update(["data", "tags", i], { $list: true })),
    );
    fc.assert(
      fc.property(edit, edit, fc.nat(4), fc.nat(4), (ea, eb, ta, tb) => {
        const [ab, ba] = bothOrders(
          { writer: { ts: ta + 2, ident: 2, baseVersion: 1 }, instructions: [ea] },
          { writer: { ts: tb + 2, ident: 3, baseVersion: 1 }, instructions: [eb] },
        );
        expect(ab.doc).toEqual(ba.doc);
      }),
      fuzzParameters(300),
    );
  });
});
