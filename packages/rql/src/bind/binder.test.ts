import { describe, expect, it } from "vitest";
import { RqlBindError, RqlError } from "../errors.js";
import { parseQuery } from "../parse/parser.js";
import { people, schema } from "../test-support/people.js";
import { bindQuery } from "./binder.js";

function bindError(query: string, args: unknown[] = [], className = "Person"): RqlBindError {
  try {
    bindQuery(query, schema, className, args);
  } catch (error) {
    expect(error).toBeInstanceOf(RqlBindError);
    expect(error).toBeInstanceOf(RqlError);
    expect((error as RqlBindError).code).toBe("RqlBindError");
    return error as RqlBindError;
  }
  throw new Error(`'${query}' bound without error`);
}

describe("binder errors, each before any object is touched", () => {
  it.each([
    // unknown class, property, variable
    ["age > 1", [], "Nope", "Unknown class 'Nope'"],
    ["foo == 1", [], "Person", "'Person' has no property 'foo' (in 'foo')"],
    ["dogs.color == 'brown'", [], "Person", "'Dog' has no property 'color' (in 'dogs.color')"],
    [
      "name.length == 1",
      [],
      "Person",
      "Invalid key path 'name.length': a string has no property 'length'",
    ],
    ["$y.age > 1", [], "Person", "Unknown variable $y in '$y.age'"],
    ["value > 1", [], "Reading", "'Reading' is asymmetric (data ingest) and cannot be queried"],
    // arguments
    ["age == $2", [1], "Person", "The query uses $2 but 1 argument was given"],
    ["age == $0", [], "Person", "The query uses $0 but 0 arguments were given"],
    ["age == $0", ["thirty"], "Person", "In 'age == $0': cannot compare an int with a string"],
    ["age == $0", [Symbol("x")], "Person", "Argument $0 has a type RQL cannot compare (symbol)"],
    ["age IN $0", [[[1]]], "Person", "Argument $0 is a nested list, which RQL cannot compare"],
    ["ANY $0 == age", [5], "Person", "ANY $0 needs an array argument"],
    // incompatible comparisons
    ["name > 5", [], "Person", "In 'name > 5': cannot compare a string with an int"],
    ["age == 'thirty'", [], "Person", "In 'age == 'thirty'': cannot compare an int with a string"],
    ["born == 5", [], "Person", "In 'born == 5': cannot compare a date with an int"],
    ["oid == 'aaaaaaaaaaaaaaaaaaaaaaaa'", [], "Person", "cannot compare an objectId with a string"],
    ["alive > true", [], "Person", "In 'alive > true': the operator > does not apply to a bool"],
    ["bestFriend > 1", [], "Person", "cannot compare an object with an int"],
    ["name CONTAINS 5", [], "Person", "In 'name CONTAINS 5': cannot compare a string with an int"],
    ["age BEGINSWITH 1", [], "Person", "BEGINSWITH needs strings or binary data, not an int"],
    ["age ==[c] 5", [], "Person", "[c] and [d] apply to strings only"],
    // collections and quantifiers
    [
      "ALL age == 1",
      [],
      "Person",
      "In 'ALL age == 1': ALL needs a collection, but 'ALL age' is a single value",
    ],
    ["age IN 5", [], "Person", "In 'age IN 5': IN needs a list on its right"],
    ["tags == nicknames", [], "Person", "comparing two collections is not supported"],
    [
      "SUBQUERY(bestFriend, $x, $x.age > 1).@count > 0",
      [],
      "Person",
      "'bestFriend' is not a collection",
    ],
    [
      "SUBQUERY(dogs, $d, SUBQUERY(dogs, $d, $d.age > 1).@count > 0).@count > 0",
      [],
      "Person",
      "variable $d is already in use",
    ],
    // aggregates and special paths
    ["tags.@sum > 1", [], "Person", "Invalid key path 'tags.@sum': @sum needs numbers, not string"],
    ["age.@count == 1", [], "Person", "@count needs a list, set, dictionary, string or binary"],
    ["age.@max == 1", [], "Person", "@max needs a list, set or dictionary"],
    ["tags.@count.foo == 1", [], "Person", "nothing may follow @count"],
    ["name.@keys == 'a'", [], "Person", "@keys needs a dictionary"],
    ["age['x'] == 1", [], "Person", "['x'] needs a dictionary or a mixed value"],
    [
      "@links.Dog.name == 'x'",
      [],
      "Person",
      "@links.Dog.name: that property does not link to 'Person'",
    ],
    ["@links.Cat.owner == 'x'", [], "Person", "@links.Cat.owner: no such class or property"],
    ["@links.Person.dogs.@count == 1", [], "Person", "that property does not link to 'Person'"],
    ["anything.@type == 'banana'", [], "Person", "unknown type name 'banana'"],
    [
      "anything.@type > 'int'",
      [],
      "Person",
      "@type can only be compared with type names using ==, != or IN",
    ],
    // ordering clauses
    [
      "TRUEPREDICATE SORT(tags ASC)",
      [],
      "Person",
      "SORT(tags): the key path must lead to one value, not a collection or an object",
    ],
    [
      "TRUEPREDICATE DISTINCT(bestFriend)",
      [],
      "Person",
      "DISTINCT(bestFriend): the key path must lead to one value",
    ],
  ])("%s %j on %s → %s", (query, args, className, message) => {
    expect(bindError(query, args, className).message).toContain(message);
  });

  it("rejects arguments that are not an array", () => {
    expect(() => bindQuery("age > 1", schema, "Person", "1" as unknown as unknown[])).toThrow(
      "Query arguments must be an array",
    );
  });

  it("binds a parsed query many times with different arguments", () => {
    const ast = parseQuery("age > $0");
    expect(() => bindQuery(ast, schema, "Person", [10])).not.toThrow();
    expect(() => bindQuery(ast, schema, "Person", ["ten"])).toThrow(RqlBindError);
    expect(() =>
      bindQuery(ast, schema, "Person", [null, "extra arguments are ignored"]),
    ).not.toThrow();
  });

  it("accepts objects and bigints as arguments, and refuses maps", () => {
    expect(() => bindQuery("bestFriend == $0", schema, "Person", [people[0]])).not.toThrow();
    expect(() => bindQuery("age == $0", schema, "Person", [5n])).not.toThrow();
    expect(() => bindQuery("anything == $0", schema, "Person", [new Map()])).toThrow(
      "Argument $0 has a type RQL cannot compare (Map)",
    );
  });
});
