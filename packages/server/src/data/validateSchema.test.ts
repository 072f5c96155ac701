import { Decimal128, Long, ObjectId, UUID } from "bson";
import { describe, expect, it } from "vitest";
import { validateSchema } from "./validateSchema.js";

const schema = {
  title: "Thing",
  bsonType: "object",
  required: ["_id", "name"],
  properties: {
    _id: { bsonType: "objectId" },
    name: { bsonType: "string" },
    count: { bsonType: "int" },
    big: { bsonType: "long" },
    ratio: { bsonType: "double" },
    price: { bsonType: "decimal" },
    flag: { bsonType: "bool" },
    at: { bsonType: "date" },
    key: { bsonType: "uuid" },
    either: { bsonType: ["string", "int"] },
    address: {
      bsonType: "object",
      required: ["city"],
      properties: { city: { bsonType: "string" }, zip: { bsonType: "string" } },
    },
    tags: { bsonType: "array", items: { bsonType: "string" } },
    anything: { bsonType: "mixed" },
  },
};

const valid = {
  _id: new ObjectId(),
  name: "x",
  count: 3,
  big: Long.fromString("9007199254740993"),
  ratio: 0.5,
  price: Decimal128.fromString("9.99"),
  flag: true,
  at: new Date(),
  key: new UUID(),
  either: 4,
  address: { city: "Oslo" },
  tags: ["a"],
  anything: { deep: [1] },
  unlisted: "passes",
};

function failure(doc: Record<string, unknown>): string | undefined {
  try {
    validateSchema(schema, doc);
    return undefined;
  } catch (error) {
    expect(error).toMatchObject({ code: "SchemaValidationFailedWrite" });
    return (error as { details: { field: string } }).details.field;
  }
}

describe("validateSchema", () => {
  it("accepts a document of the right types, unlisted fields and null optionals", () => {
    expect(failure(valid)).toBeUndefined();
    expect(failure({ ...valid, count: null })).toBeUndefined();
    expect(failure({ ...valid, big: 5 })).toBeUndefined();
  });

  it("names the field whose bsonType is wrong", () => {
    expect(failure({ ...valid, count: 1.5 })).toBe("count");
    expect(failure({ ...valid, count: 2 ** 31 })).toBe("count");
    expect(failure({ ...valid, flag: "yes" })).toBe("flag");
    expect(failure({ ...valid, at: "2024-01-01" })).toBe("at");
    expect(failure({ ...valid, _id: "not-an-oid" })).toBe("_id");
    expect(failure({ ...valid, either: true })).toBe("either");
    expect(failure({ ...valid, price: 9.99 })).toBe("price");
    expect(failure({ ...valid, key: "uuid" })).toBe("key");
  });

  it("checks required fields, nested properties and array items", () => {
    expect(failure({ ...valid, name: undefined })).toBe("name");
    expect(failure({ ...valid, name: null })).toBe("name");
    expect(failure({ ...valid, address: { zip: "1" } })).toBe("address.city");
    expect(failure({ ...valid, address: { city: 5 } })).toBe("address.city");
    expect(failure({ ...valid, tags: ["a", 2] })).toBe("tags.1");
    expect(failure({ ...valid, tags: "a" })).toBe("tags");
  });
});
