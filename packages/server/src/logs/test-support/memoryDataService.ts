import type { Collection, DataService, Document } from "../../data/types.js";
import { compileFilter, shapeResults } from "../../data/mql.js";

/**
 * A stand-in for the data layer's system service holding documents in memory: just enough
 * (insertOne, find) for the log store's tests until they run on the real DataLayer.
 */
export function memoryDataService(): { system(): DataService; count(): number } {
  const docs: Document[] = [];
  const collection = {
    databaseName: "__atoll",
    collectionName: "logs",
    insertOne: async (doc: Document) => {
      docs.push(doc);
      return { insertedId: doc["_id"] };
    },
    find: async (filter: Document = {}, options = {}) => shapeResults(docs.filter(compileFilter(filter)), options),
  } as unknown as Collection;
  const service: DataService = { db: () => ({ collection: () => collection }) };
  return { system: () => service, count: () => docs.length };
}
