import { Binary, Decimal128, Double, Int32, Long, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { RqlEvaluationError } from "../errors.js";
import type { RqlSchema } from "../schema.js";
import { schema } from "../test-support/people.js";
import { evaluate } from "./evaluator.js";

const matches = (query: string, object: object, args: unknown[] = []) =>
  evaluate(bindQuery(query, schema, "Person", args), object);

describe("evaluate over the values objects hold", () => {
  it("reads live objects through getters, as the SDK's objects expose them", () => {
    class LivePerson {
      readonly #row = { name: "Ann", age: 30, tags: ["a"] };
      get name() {
        return this.#row.name;
      }
      get age() {
        return this.#row.age;
      }
      get tags() {
        return this.#row.tags;
      }
    }
    expect(matches("name == 'Ann' AND age > 20 AND tags == 'a'", new LivePerson())).toBe(true);
  });

  it("compares BSON values by value", () => {
    expect(
      matches("oid == $0", { oid: new ObjectId("aaaaaaaaaaaaaaaaaaaaaaaa") }, [
        new ObjectId("AAAAAAAAAAAAAAAAAAAAAAAA"),
      ]),
    ).toBe(true);
    const uuid = "11111111-1111-4111-8111-111111111111";
    expect(
      matches("uid == $0", { uid: new Binary(new UUID(uuid).buffer, Binary.SUBTYPE_UUID) }, [
        new UUID(uuid),
      ]),
    ).toBe(true);
    expect(matches("balance == 1", { balance: Decimal128.fromString("1.000") })).toBe(true);
    expect(
      matches("balance > $0", { balance: Decimal128.fromString("0.30000000000000000001") }, [0.3]),
    ).toBe(true);
    expect(matches("balance < 1e-6000", { balance: Decimal128.fromString("1E-6001") })).toBe(true);
    expect(matches("age == 5", { age: Long.fromNumber(5) })).toBe(true);
    expect(matches("age == 5", { age: new Int32(5) })).toBe(true);
    expect(matches("height == 2.5", { height: new Double(2.5) })).toBe(true);
    expect(matches("age > 9007199254740992", { age: 9007199254740993n })).toBe(true);
    expect(matches("born == $0", { born: new Date(5) }, [new Date(5)])).toBe(true);
    expect(matches('avatar == B64"AQID"', { avatar: new Binary(new Uint8Array([1, 2, 3])) })).toBe(
      true,
    );
    expect(matches('avatar == B64"AQID"', { avatar: new Uint8Array([1, 2, 3]).buffer })).toBe(true);
  });

  it("takes any iterable or array-like as a list, and Maps or plain objects as dictionaries", () => {
    expect(matches("tags == 'b' AND tags.@count == 2", { tags: new Set(["a", "b"]) })).toBe(true);
    expect(matches("tags == 'b'", { tags: { length: 2, 0: "a", 1: "b" } })).toBe(true);
    expect(matches("attrs['k'] == 1 AND attrs.@keys == 'k'", { attrs: new Map([["k", 1]]) })).toBe(
      true,
    );
    expect(matches("attrs['toString'] == null", { attrs: {} })).toBe(true);
  });

  it("orders strings by code point, as SQL engines do", () => {
    // U+FFFD sorts before U+1F600 by code point, though its UTF-16 unit is larger than a surrogate's.
    expect(matches("name < '😀'", { name: "\uFFFD" })).toBe(true);
    expect(matches("name > '\uFFFD'", { name: "😀" })).toBe(true);
  });

  it("never folds a non-ASCII character into ASCII under [c]", () => {
    expect(matches("name ==[c] 'k'", { name: "\u212a" })).toBe(false); // KELVIN SIGN
    expect(matches("name ==[c] 'ÉTÉ'", { name: "été" })).toBe(true);
  });

  it("asks for a context when the query follows backlinks", () => {
    const bound = bindQuery("@links.@count == 0", schema, "Person");
    expect(() => evaluate(bound, { name: "x" })).toThrow(RqlEvaluationError);
    expect(() => evaluate(bound, { name: "x" })).toThrow("pass an EvalContext with backlinks()");
    expect(evaluate(bound, { name: "x" }, { backlinks: () => [] })).toBe(true);
  });

  it("refuses to evaluate something that is not an object", () => {
    const bound = bindQuery("age > 1", schema, "Person");
    expect(() => evaluate(bound, null as unknown as object)).toThrow(
      "Queries are evaluated on objects, not on null",
    );
    expect(() => evaluate(bound, 5 as unknown as object)).toThrow(RqlEvaluationError);
  });

  it("compares links by primary key when the instances differ", () => {
    const linkSchema: RqlSchema = {
      Car: {
        name: "Car",
        primaryKey: "_id",
        properties: {
          _id: { name: "_id", type: "int", optional: false },
          next: { name: "next", type: "object", objectType: "Car", optional: true },
        },
      },
    };
    const bound = bindQuery("next == $0", linkSchema, "Car", [{ _id: 7 }]);
    expect(evaluate(bound, { _id: 1, next: { _id: 7 } })).toBe(true);
    expect(evaluate(bound, { _id: 1, next: { _id: 8 } })).toBe(false);
  });
});
