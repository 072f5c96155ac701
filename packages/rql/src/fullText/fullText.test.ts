import { describe, expect, it } from "vitest";
import { bindQuery } from "../bind/binder.js";
import { describeQuery } from "../describe.js";
import { RqlBindError, RqlSyntaxError, RqlUnsupportedError } from "../errors.js";
import { applyQuery } from "../evaluate/applyQuery.js";
import { parseQuery } from "../parse/parser.js";
import type { RqlSchema } from "../schema.js";
import { compileToSql } from "../sql/compiler.js";

const bookSchema: RqlSchema = {
  Book: {
    name: "Book",
    properties: {
      title: { name: "title", type: "string", optional: true, fullTextIndexed: true },
      summary: { name: "summary", type: "string", optional: false },
      pages: { name: "pages", type: "int", optional: false },
      tags: { name: "tags", type: "string", collection: "list", optional: false },
      author: { name: "author", type: "object", objectType: "Author", optional: true },
    },
  },
  Shelf: {
    name: "Shelf",
    properties: {
      books: {
        name: "books",
        type: "object",
        objectType: "Book",
        collection: "list",
        optional: false,
      },
    },
  },
  Author: {
    name: "Author",
    properties: {
      bio: { name: "bio", type: "string", optional: false, fullTextIndexed: true },
    },
  },
};

const books = [
  { title: "Realm Data Modelling", pages: 10, author: { bio: "Writes about databases" } },
  { title: "MongoDB and Realm: the data layer", pages: 20, author: null },
  { title: "Crème brûlée, café et résumé", pages: 30, author: { bio: "Chef" } },
  { title: "Offline-first apps with realm", pages: 40, author: null },
  { title: null, pages: 50, author: null },
];

function titles(query: string, args: unknown[] = []): (string | null)[] {
  return applyQuery(bindQuery(query, bookSchema, "Book", args), books).map((book) => book.title);
}

function bindError(query: string, args: unknown[] = []): string {
  try {
    bindQuery(query, bookSchema, "Book", args);
  } catch (error) {
    expect(error).toBeInstanceOf(RqlBindError);
    return (error as Error).message;
  }
  throw new Error(`'${query}' bound without error`);
}

describe("TEXT: parsing", () => {
  it("reads TEXT as a keyword in any case, with a string or an argument on its right", () => {
    for (const query of ["title TEXT 'realm'", "title text 'realm'", "title Text $0"]) {
      expect(parseQuery(query).predicate).toMatchObject({
        kind: "fullText",
        property: { kind: "path", steps: [{ kind: "property", name: "title" }] },
      });
    }
  });

  it("refuses TEXT without a property on its left or without words on its right", () => {
    expect(() => parseQuery("'realm' TEXT 'realm'")).toThrow(RqlSyntaxError);
    expect(() => parseQuery("ANY tags TEXT 'realm'")).toThrow(RqlSyntaxError);
    expect(() => parseQuery("title TEXT 5")).toThrow(/TEXT needs the words to search for/);
    expect(() => parseQuery("title TEXT[c] 'realm'")).toThrow(RqlSyntaxError);
  });
});

describe("TEXT: binding", () => {
  it("needs a string property with a full-text index, naming the property", () => {
    expect(bindError("summary TEXT 'realm'")).toMatch(
      /Column has no fulltext index: 'summary'.*indexed: "full-text"/,
    );
    expect(bindError("pages TEXT 'realm'")).toMatch(/TEXT needs a single string property/);
    expect(bindError("tags TEXT 'realm'")).toMatch(/TEXT needs a single string property/);
  });

  it("needs a string search with at least one word", () => {
    expect(bindError("title TEXT $0", [5])).toMatch(/TEXT needs a string of words/);
    expect(bindError("title TEXT ' - * '")).toMatch(/TEXT needs at least one word/);
  });

  it("describes a bound TEXT query as RQL that binds to the same search", () => {
    const bound = bindQuery("title TEXT $0 AND pages > 1", bookSchema, "Book", ["realm -mongo*"]);
    const text = describeQuery(bound);
    expect(text).toBe('title TEXT "realm -mongo*" AND pages > 1');
    expect(bindQuery(text, bookSchema, "Book").predicate).toEqual(bound.predicate);
  });
});

describe("TEXT: evaluation", () => {
  it("matches texts holding every word, whatever their case", () => {
    expect(titles("title TEXT 'realm'")).toEqual([
      "Realm Data Modelling",
      "MongoDB and Realm: the data layer",
      "Offline-first apps with realm",
    ]);
    expect(titles("title TEXT 'DATA realm'")).toEqual([
      "Realm Data Modelling",
      "MongoDB and Realm: the data layer",
    ]);
  });

  it("matches whole words only, unless the word ends with *", () => {
    expect(titles("title TEXT 'model'")).toEqual([]);
    expect(titles("title TEXT 'model*'")).toEqual(["Realm Data Modelling"]);
    expect(titles("title TEXT 'off* app*'")).toEqual(["Offline-first apps with realm"]);
  });

  it("excludes texts holding a word or prefix given with -", () => {
    expect(titles("title TEXT 'realm -mongodb'")).toEqual([
      "Realm Data Modelling",
      "Offline-first apps with realm",
    ]);
    expect(titles("title TEXT 'realm -mongo* -offline'")).toEqual(["Realm Data Modelling"]);
  });

  it("ignores diacritics on either side and splits words at punctuation", () => {
    expect(titles("title TEXT 'creme brulee resume'")).toEqual(["Crème brûlée, café et résumé"]);
    expect(titles("title TEXT 'CAFÉ'")).toEqual(["Crème brûlée, café et résumé"]);
    expect(titles("title TEXT 'offline first'")).toEqual(["Offline-first apps with realm"]);
  });

  it("treats null as a text without words: only excluding searches match it", () => {
    expect(titles("title TEXT 'realm' AND pages == 50")).toEqual([]);
    expect(titles("title TEXT '-realm -creme'")).toEqual([null]);
  });

  it("searches through a to-one link, combined with other predicates", () => {
    expect(titles("author.bio TEXT 'database*' OR pages == 40")).toEqual([
      "Realm Data Modelling",
      "Offline-first apps with realm",
    ]);
    expect(titles("NOT title TEXT $0 AND pages < 40", ["realm"])).toEqual([
      "Crème brûlée, café et résumé",
    ]);
  });
});

describe("TEXT: in a subquery", () => {
  it("searches each element through the subquery variable", () => {
    const bound = bindQuery(
      "SUBQUERY(books, $b, $b.title TEXT 'realm -mongodb').@count == 2",
      bookSchema,
      "Shelf",
    );
    expect(applyQuery(bound, [{ books }, { books: books.slice(1) }])).toHaveLength(1);
    expect(() =>
      bindQuery("SUBQUERY(books, $b, $b.summary TEXT 'x').@count > 0", bookSchema, "Shelf"),
    ).toThrow(/Column has no fulltext index: '\$b.summary'/);
  });
});

describe("TEXT: SQL compilation", () => {
  it("is refused by both dialects, so that callers evaluate it", () => {
    const bound = bindQuery("pages > 1 AND title TEXT 'realm'", bookSchema, "Book");
    for (const dialect of ["sqlite", "postgres"] as const) {
      expect(() => compileToSql(bound, { dialect, documentColumn: "doc" })).toThrow(
        RqlUnsupportedError,
      );
    }
  });
});
