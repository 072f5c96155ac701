/** A RealmWire for one connection of the app's sync service and one user. */
import type { CollectionType } from "@atoll/protocol";
import { withoutNestedCollections } from "../nestedCollections.js";
import { acceptClientSchema } from "../service/bindSession.js";
import type { SyncService } from "../service/SyncService.js";
import { RealmWire } from "./RealmWire.js";
import { realmSchemaInstructions } from "./realmSchemaInstructions.js";

export function realmWireFor(service: SyncService, userId: string, version: number): RealmWire {
  const property = (table: string, field: string) => service.model.schema[table]?.properties[field];
  return new RealmWire(version, {
    maxMessageBytes: service.maxMessageBytes,
    isFloat: (table, field) => property(table, field)?.type === "float",
    collectionOf: (table, field): CollectionType | undefined => property(table, field)?.collection,
    acceptSchema: (schema) => acceptClientSchema(service, userId, schema),
    schemaInstructions: () => realmSchemaInstructions(service.model.schema),
    withoutNestedCollections: (instructions) =>
      withoutNestedCollections(service.model.schema, instructions),
  });
}
