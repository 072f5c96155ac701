import type { DifferentialCase } from "./differential.js";

// Documents here are plain objects as a store may hold them, wrongly typed values included.

/**
 * Counterexamples found while building the compiler (by the property or by hand), kept so they
 * stay fixed on every engine.
 */
export const differentialRegressions: (DifferentialCase & { name: string })[] = [
  {
    // Shrunk by the property: the compiler refused a double beyond 2^53 that JSON holds exactly.
    name: "a double beyond 2^53 as a bound",
    documents: [{ d: 1e21 }, { d: 0.5 }, { d: null }, {}],
    query: "((NOT (d BETWEEN {0, 1e+21})) AND (tags.@count == 0)) AND (d BETWEEN {0.5, 0})",
    args: [],
  },
  {
    name: "a double beyond 2^53 matches itself",
    documents: [{ d: 1e21 }, { d: 1e20 }],
    query: "d >= 1e21 OR d == 1e+20",
    args: [],
  },
  {
    // NOT bound tighter than the AND inside an element test, so ALL matched every list.
    name: "ALL over a list whose element test has a type check",
    documents: [{ tags: ["red", "old"] }, { tags: [] }, { tags: ["RED"] }, { tags: ["red"] }],
    query: "ALL tags == 'red'",
    args: [],
  },
  {
    // Relaxed EJSON writes whole seconds without ".000": compared as raw text, 1.000 s sorted after 1.500 s.
    name: "dates with and without milliseconds",
    documents: [{ t: new Date(1000) }, { t: new Date(1500) }, { t: new Date(999) }, { t: null }],
    query: "t > T1:0 OR t < $0",
    args: [new Date(1000)],
  },
  {
    // Dates before 1970 are {"$numberLong": ms} in relaxed EJSON, and the server's own codec writes every date so.
    name: "dates stored as milliseconds",
    documents: [
      { t: { $date: { $numberLong: "1000" } } },
      { t: { $date: { $numberLong: "1500" } } },
      { t: new Date(1000) },
      { t: new Date(-5000) },
      { t: { $date: { $numberLong: "-1" } } },
    ],
    query: "t > T1:0 OR t == $0 OR t < T0:0 OR t BETWEEN {T-1:0, T0:0}",
    args: [new Date(1500)],
  },
  {
    // The server's codec wraps int64 beyond 2^53 and integral doubles beyond 2^53 too.
    name: "numbers stored in $numberDouble and $numberLong wrappers",
    documents: [
      { d: { $numberDouble: "1e+21" } },
      { d: { $numberDouble: "-0.0" } },
      { d: { $numberDouble: "NaN" } },
      { d: { $numberDouble: "Infinity" } },
      { i: { $numberLong: "9007199254740993" } },
      { i: { $numberLong: "-9007199254740993" } },
      { nums: [{ $numberLong: "9007199254740993" }, 1] },
    ],
    query:
      "d > 1e20 OR d == 0 OR d != 5 AND d < 0 OR i > 9007199254740992 OR i < -9007199254740992 OR ALL nums > 0",
    args: [],
  },
  {
    name: "a list field that holds a scalar is no list",
    documents: [{ tags: "red" }, { tags: ["red"] }],
    query: "ANY tags == 'red' OR tags.@count == 1",
    args: [],
  },
  {
    name: "wrongly typed values match nothing but != and == null",
    documents: [{ i: "5" }, { i: 5 }, { s: 5 }, { b: 1 }],
    query: "i == 5 OR i > 4 OR s BEGINSWITH '5' OR s > '' OR b == true",
    args: [],
  },
  {
    name: "[c] never folds a non-ASCII letter into ASCII",
    documents: [{ s: "\u212a" }, { s: "k" }, { s: "K" }, { s: "ı" }, { s: "I" }],
    query: "s ==[c] 'k' OR s CONTAINS[c] 'i'",
    args: [],
  },
  {
    name: "LIKE metacharacters of each engine are plain text in RQL",
    documents: [{ s: "a%" }, { s: "a_" }, { s: "a[" }, { s: "ab" }, { s: "a\\" }],
    query: "s LIKE 'a%' OR s LIKE 'a_' OR s LIKE '[*' OR s LIKE 'a\\\\'",
    args: [],
  },
  {
    name: "code-point order around the surrogates",
    documents: [{ s: "\uFFFD" }, { s: "😀" }, { s: "\uE000" }],
    query: "s > '\uFFFD' AND s >= '\uE000'",
    args: [],
  },
];
