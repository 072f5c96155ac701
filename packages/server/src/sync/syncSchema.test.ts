import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadAppConfig } from "../config/loadAppConfig.js";
import type { CollectionConfig } from "../config/types.js";
import { SyncSchemaError } from "./SyncSchemaError.js";
import { buildSyncModel } from "./syncSchema.js";

const carsDir = fileURLToPath(new URL("../../../../examples/cars", import.meta.url));

function collection(
  name: string,
  schema: Record<string, unknown>,
  relationships?: Record<string, unknown>,
): CollectionConfig {
  return {
    database: "shop",
    collection: name,
    schema,
    ...(relationships ? { relationships } : {}),
  };
}

describe("the synced object model", () => {
  it("derives the seeds' Car type from the cars example, with the asymmetric table marked", async () => {
    const config = await loadAppConfig(carsDir);
    const source = config.dataSources.get(config.sync.serviceName)!;
    const model = buildSyncModel(source.collections.values(), {
      database: config.sync.databaseName,
      asymmetricTables: config.sync.asymmetricTables,
    });
    expect(model.tables.get("Car")).toEqual({
      name: "Car",
      database: "cars-db",
      collection: "Car",
      asymmetric: false,
    });
    expect(model.schema.Car!.primaryKey).toBe("_id");
    expect(model.schema.Car!.properties).toMatchObject({
      _id: { type: "objectId", optional: false },
      ownerId: { type: "string", optional: false },
      make: { type: "string", optional: false },
      model: { type: "string", optional: true },
      miles: { type: "int", optional: true },
    });
    expect(model.schema.SensorReading?.asymmetric).toBe(true);
  });

  it("maps lists, sets, dictionaries, embedded objects and links, and names types by title", () => {
    const model = buildSyncModel([
      collection(
        "orders",
        {
          title: "Order",
          bsonType: "object",
          required: ["_id"],
          properties: {
            _id: { bsonType: "long" },
            tags: { bsonType: "array", items: { bsonType: "string" } },
            codes: { bsonType: "array", uniqueItems: true, items: { bsonType: "int" } },
            prices: { bsonType: "object", additionalProperties: { bsonType: "decimal" } },
            extra: { bsonType: "object", additionalProperties: { bsonType: "mixed" } },
            ship: {
              bsonType: "object",
              title: "Address",
              properties: { city: { bsonType: "string" } },
              required: ["city"],
            },
            customer: { bsonType: "objectId" },
            items: { bsonType: "array", items: { bsonType: "objectId" } },
          },
        },
        {
          customer: {
            ref: "#/relationship/mongodb-atlas/shop/customers",
            foreign_key: "_id",
            is_list: false,
          },
          items: {
            ref: "#/relationship/mongodb-atlas/shop/items",
            foreign_key: "_id",
            is_list: true,
          },
        },
      ),
      collection("customers", { title: "Customer", properties: { _id: { bsonType: "objectId" } } }),
      collection("items", { title: "Item", properties: { _id: { bsonType: "objectId" } } }),
    ]);
    expect([...model.tables.keys()].sort()).toEqual(["Customer", "Item", "Order"]);
    expect(model.tables.get("Order")!.collection).toBe("orders");
    const props = model.schema.Order!.properties;
    expect(props.tags).toMatchObject({ type: "string", collection: "list" });
    expect(props.codes).toMatchObject({ type: "int", collection: "set" });
    expect(props.prices).toMatchObject({ type: "decimal128", collection: "dictionary" });
    expect(props.extra).toMatchObject({ type: "mixed", collection: "dictionary" });
    expect(props.ship).toMatchObject({ type: "object", objectType: "Address", optional: true });
    expect(model.schema.Address).toMatchObject({
      embedded: true,
      properties: { city: { type: "string", optional: false } },
    });
    expect(props.customer).toMatchObject({
      type: "object",
      objectType: "Customer",
      optional: true,
    });
    expect(props.items).toMatchObject({ type: "object", objectType: "Item", collection: "list" });
  });

  it("refuses what sync cannot serve, naming where", () => {
    const broken = [
      [
        collection("a", {
          title: "A",
          properties: { _id: { bsonType: "objectId" }, when: { bsonType: "timestamp" } },
        }),
        /A\.when/,
      ],
      [collection("b", { title: "B", properties: { name: { bsonType: "string" } } }), /no _id/],
      [
        collection(
          "c",
          {
            title: "C",
            properties: { _id: { bsonType: "objectId" }, d: { bsonType: "objectId" } },
          },
          {
            d: { ref: "#/relationship/mongodb-atlas/shop/nowhere", is_list: false },
          },
        ),
        /unsynced collection/,
      ],
    ] as const;
    for (const [config, message] of broken) {
      expect(() => buildSyncModel([config])).toThrow(SyncSchemaError);
      expect(() => buildSyncModel([config])).toThrow(message);
    }
  });
});
