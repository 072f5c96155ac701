import { EJSON } from "bson";
import fc from "fast-check";
import { expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import { extendedJsonTexts, MalformedJsonArray } from "./extendedJsonTexts.js";
import { extendedJson } from "./test-support/dumpFiles.js";

async function* inChunks(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const at = Math.min(cut, bytes.length);
    if (at > from) yield bytes.subarray(from, at);
    from = Math.max(from, at);
  }
  if (from < bytes.length) yield bytes.subarray(from);
}

async function texts(bytes: Buffer, cuts: readonly number[]) {
  const out = [];
  for await (const text of extendedJsonTexts(inChunks(bytes, cuts))) out.push(text);
  return out;
}

const documents = fc.array(
  fc.record({
    _id: fc.integer(),
    name: fc.string({ unit: "grapheme" }),
    tags: fc.array(fc.oneof(fc.string(), fc.constant(']},[{\\"')), { maxLength: 3 }),
    nested: fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())),
  }),
  { maxLength: 8 },
);

it("finds every document of a JSON lines file or a JSON array, however the bytes are cut", async () => {
  await fc.assert(
    fc.asyncProperty(
      documents,
      fc.constantFrom("lines" as const, "array" as const),
      fc.boolean(),
      fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }),
      async (docs, form, relaxed, cuts) => {
        const bytes = Buffer.from(extendedJson(docs, form, relaxed));
        const found = await texts(bytes, cuts);
        expect(found.map((t) => EJSON.parse(t.text, { relaxed: true }))).toEqual(docs);
        expect(found.map((t) => t.position)).toEqual(
          docs.map((_, i) => (form === "lines" ? i + 1 : i + 1)),
        );
      },
    ),
    fuzzParameters(200),
  );
});

it("numbers JSON lines by line, blank lines included, and refuses an unclosed array", async () => {
  const found = await texts(Buffer.from('{"a":1}\n\n  {"a":2}\r\n'), []);
  expect(found).toEqual([
    { position: 1, text: '{"a":1}' },
    { position: 3, text: '{"a":2}' },
  ]);
  await expect(texts(Buffer.from('[{"a":1},'), [])).rejects.toBeInstanceOf(MalformedJsonArray);
});
