import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bindQuery } from "./bind/binder.js";
import { describeQuery } from "./describe.js";
import { decodeDocument, encodeDocument } from "./documentEncoding.js";
import { RqlUnsupportedError } from "./errors.js";
import { evaluate } from "./evaluate/evaluator.js";
import { differentialCaseArb, itemSchema } from "./test-support/differential.js";
import { people, schema } from "./test-support/people.js";

describe("describeQuery", () => {
  it("writes arguments out as literals", () => {
    const bound = bindQuery(
      "age > $0 AND (name == $1 OR born < $2) AND oid IN $3",
      schema,
      "Person",
      [5, 'say "hi"\n', new Date(-1500), [null]],
    );
    expect(describeQuery(bound)).toBe(
      'age > 5 AND (name == "say \\"hi\\"\\n" OR born < T-1:-500000000) AND oid IN {null}',
    );
  });

  it("keeps modifiers, quantifiers, subqueries and ordering", () => {
    const text =
      'NOT ALL tags BEGINSWITH[cd] "a" AND SUBQUERY(dogs, $d, $d.age >= 2).@count > 1 OR TRUEPREDICATE SORT(age DESC, name ASC) DISTINCT(name) LIMIT(3)';
    expect(describeQuery(bindQuery(text, schema, "Person"))).toBe(
      '(NOT ALL tags BEGINSWITH[cd] "a" AND SUBQUERY(dogs, $d, $d.age >= 2).@count > 1) OR TRUEPREDICATE SORT(age DESC, name ASC) DISTINCT(name) LIMIT(3)',
    );
  });

  it("refuses an object argument, which has no text form", () => {
    expect(() =>
      describeQuery(bindQuery("bestFriend == $0", schema, "Person", [people[0]])),
    ).toThrow(RqlUnsupportedError);
  });

  it("gives text that binds to the same query (generated queries)", () => {
    fc.assert(
      fc.property(differentialCaseArb, (c) => {
        const bound = bindQuery(c.query, itemSchema, "Item", c.args);
        const text = describeQuery(bound);
        const again = bindQuery(text, itemSchema, "Item");
        expect(describeQuery(again)).toBe(text);
        for (const [index, document] of c.documents.entries()) {
          const stored = decodeDocument(encodeDocument({ _id: index, ...document }));
          expect(evaluate(again, stored)).toBe(evaluate(bound, stored));
        }
      }),
      { numRuns: 300 },
    );
  });
});
