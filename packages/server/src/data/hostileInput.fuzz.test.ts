/**
 * Bad and hostile input against the data layer with rules on. Generated filters, updates,
 * projections, sorts, pipelines and options (arbitrary JSON, and hostile shapes: deep nesting,
 * huge `$range`s, backtracking regexes in every form, unknown and forbidden operators and
 * stages, prototype keys) go to every collection method, as a user under an owner-only rule
 * and, with plain bad JSON, as the system. Every call settles, and with an AppError if it
 * fails; the other user's documents stay exactly as they were and never reach the attacker;
 * no prototype is polluted.
 */
import { AppError } from "@atoll/protocol";
import { BSONRegExp } from "bson";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fuzzParameters } from "../../../protocol/src/test-support/fuzzParameters.js";
import type { DataLayer } from "./DataLayer.js";
import { testAppConfig, testUser } from "./test-support/testApp.js";
import type { Collection, Document } from "./types.js";
import { DataLayer as Layer } from "./DataLayer.js";
import { openStorage } from "../storage/openStorage.js";

const SECRET = "victim-secret";
const OWNER_ONLY = {
  roles: [
    {
      name: "own",
      apply_when: {},
      document_filters: { read: { o: "%%user.id" }, write: { o: "%%user.id" } },
      read: true,
      write: true,
    },
  ],
  filters: [],
};

let data: DataLayer;
let system: Collection;
let attacker: Collection;
let victimDocs: Document[];

beforeAll(async () => {
  data = new Layer(await openStorage("memory"), testAppConfig({ defaultRule: OWNER_ONLY }), {
    queryLimits: { timeoutMs: 3_000, workerMemoryMb: 96 },
  });
  system = data.system().db("d").collection("c");
  attacker = data.forUser(testUser("u")).db("d").collection("c");
  await system.insertMany([
    { _id: 1, o: "u", a: [1, 2], n: { x: 1 }, s: `${"a".repeat(30)}!`, big: 300_000_000 },
    { _id: 2, o: "v", s: `${"a".repeat(30)}!`, secret: SECRET, a: [SECRET], big: 300_000_000 },
    { _id: 3, o: "v", n: { x: SECRET } },
  ]);
  victimDocs = await system.find({ o: "v" });
});
afterAll(async () => {
  data.close();
  await data.storage.close();
});

function nested(depth: number): Document {
  let doc: Document = { a: 1 };
  for (let i = 0; i < depth; i++) doc = { $and: [doc] };
  return doc;
}

const evil = "^(a+)+$";
const fieldName = fc.constantFrom(
  "a",
  "n.x",
  "_id",
  "o",
  "s",
  "secret",
  "big",
  "__proto__",
  "constructor",
  "a.__proto__.b",
  "constructor.prototype.p",
  "prototype",
);
const operatorName = fc.constantFrom(
  ...[
    "$set",
    "$inc",
    "$push",
    "$pull",
    "$rename",
    "$unset",
    "$each",
    "$gt",
    "$in",
    "$and",
    "$or",
    "$not",
    "$exists",
    "$elemMatch",
    "$size",
    "$all",
  ],
  ...[
    "$where",
    "$regex",
    "$options",
    "$expr",
    "$text",
    "$function",
    "$accumulator",
    "$jsonSchema",
    "$nope",
  ],
  ...[
    "$match",
    "$project",
    "$group",
    "$addFields",
    "$lookup",
    "$out",
    "$merge",
    "$unionWith",
    "$facet",
    "$currentOp",
  ],
  ...[
    "$regexMatch",
    "$regexFind",
    "$regexFindAll",
    "$replaceAll",
    "$range",
    "$map",
    "$reduce",
    "$concatArrays",
    "$literal",
    "$sum",
    "$split",
  ],
);
const key = fc.oneof(fieldName, operatorName, fc.string({ maxLength: 4 }));
const hostileLeaf = fc.constantFrom<unknown>(
  { $range: [0, 3e8] },
  { $size: { $range: [0, "$big"] } },
  { $range: [0, 10, 0] },
  { $regexMatch: { input: "$s", regex: evil } },
  { $regexFindAll: { input: "$s", regex: "" } },
  { $regexFind: { input: "$s", regex: "(a)\\1" } },
  { $replaceAll: { input: "$s", find: evil, replacement: "x" } },
  { $regex: evil },
  { $regex: "a".repeat(5_000) },
  { $regex: new BSONRegExp(evil, "") },
  new BSONRegExp(evil, "x"),
  /^(a+)+$/,
  { $expr: { $regexMatch: { input: "$s", regex: evil } } },
  { $function: { body: "return 1", args: [], lang: "js" } },
  { $where: "while(true){}" },
  "$$ROOT",
  "$secret",
  nested(200),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue({ maxDepth: 1 }),
    hostileLeaf,
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(key, tie("v"), { maxKeys: 3 }),
  ),
})).v;
const stage = fc.dictionary(operatorName, value, { minKeys: 1, maxKeys: 1 });
const pipeline = fc.array(stage, { maxLength: 4 });
const anything = fc.oneof(value, fc.constantFrom(undefined, null, [], {}, "x", 3));

/** Runs one call: it settles, and a failure is an AppError. Returns what it answered. */
async function outcome(work: () => Promise<unknown>): Promise<unknown> {
  try {
    return await work();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(AppError);
    return undefined;
  }
}

function leaksSecret(answer: unknown): boolean {
  try {
    return JSON.stringify(answer ?? null).includes(SECRET);
  } catch {
    return false;
  }
}

describe("hostile input against the data layer", () => {
  it("as a user under an owner-only rule: coded errors only, nothing of another user's read or changed", async () => {
    let evaluated = 0;
    await fc.assert(
      fc.asyncProperty(anything, anything, anything, pipeline, async (a, b, c, stages) => {
        const [x, y, z] = [a, b, c] as [Document, Document, Document];
        const answers = [
          await outcome(() => attacker.find(x, y)),
          await outcome(() => attacker.find({}, { projection: y, sort: z })),
          await outcome(() => attacker.findOne(x, y)),
          await outcome(() => attacker.count(x, y)),
          await outcome(() =>
            attacker.aggregate(stages).then((result) => ((evaluated += 1), result)),
          ),
          await outcome(() => attacker.aggregate(x as unknown as Document[])),
          await outcome(() => attacker.updateOne(x, y, z)),
          await outcome(() => attacker.updateMany({}, y, z)),
          await outcome(() => attacker.findOneAndUpdate(x, y, z)),
          await outcome(() => attacker.findOneAndReplace(x, y, z)),
          await outcome(() => attacker.findOneAndDelete(x, y)),
          await outcome(() => attacker.deleteMany(x)),
          await outcome(() => attacker.insertOne(x)),
        ];
        await outcome(async () => attacker.watch({ filter: x }).close());
        expect(answers.some(leaksSecret)).toBe(false);
        expect(await system.find({ o: "v" })).toEqual(victimDocs);
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      fuzzParameters(120),
    );
    // The generator reaches evaluation, not only the allow-list's refusals.
    expect(evaluated).toBeGreaterThan(10);
  });

  it("as the system, with bad JSON of every shape: coded errors only", async () => {
    const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie("v"), { maxLength: 3 }),
        fc.dictionary(key, tie("v"), { maxKeys: 3 }),
      ),
    })).v;
    await fc.assert(
      fc.asyncProperty(json, json, json, async (a, b, c) => {
        const [x, y, z] = [a, b, c] as [Document, Document, Document];
        await outcome(() => system.find(x, y));
        await outcome(() => system.count(x, y));
        await outcome(() => system.aggregate(x as unknown as Document[]));
        await outcome(() => system.updateOne({ _id: { $gt: 100 } }, y, z));
        await outcome(() => system.findOneAndReplace({ _id: { $gt: 100 } }, y, z));
        await outcome(() =>
          system
            .insertMany(x as unknown as Document[])
            .then(() => system.deleteMany({ _id: { $nin: [1, 2, 3] } })),
        );
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      fuzzParameters(150),
    );
  });
});
