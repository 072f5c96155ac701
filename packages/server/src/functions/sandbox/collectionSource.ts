/**
 * JavaScript evaluated inside every sandbox context: `context.services.get(name).db(d)
 * .collection(c)`. Every method is one "db" host call carrying canonical EJSON
 * `{service, database, collection, method, args}`; the host runs it on the data layer as
 * the call's identity (rules enforced, or bypassed for system functions).
 *
 * Both call shapes users have are accepted: the data layer's `find(filter, {projection, sort,
 * limit, skip})` awaited directly, and the Atlas Functions shape `find(filter, projection)`
 * returning a cursor with `sort`/`limit`/`skip`/`toArray`/`next`. `aggregate` returns a
 * cursor too. Cursors are thenables, so awaiting one gives the array.
 */
export const COLLECTION_SOURCE = `
const FIND_OPTION_KEYS = ["projection", "sort", "limit", "skip"];

const isFindOptions = (value) => {
  if (!isPlainObject(value)) return false;
  const keys = objectKeys(value);
  return keys.length > 0 && keys.every((key) => FIND_OPTION_KEYS.includes(key));
};

// (filter, projection, options) or (filter, options): one options object for the host.
const findOptions = (second, third) => {
  if (third === undefined && isFindOptions(second)) return { ...second };
  const options = isPlainObject(third) ? { ...third } : {};
  if (second !== undefined && second !== null) options.projection = second;
  return options;
};

const makeCollection = (service, database, collection) => {
  const send = (method, args) => {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    const payload = encodeValue({ service, database, collection, method, args });
    return hostAsync("db", payload).then(decodeResult);
  };

  const makeCursor = (method, first, options) => {
    let pending = null;
    let position = 0;
    const load = () => {
      if (pending === null) pending = send(method, method === "find" ? [first, options] : [first]);
      return pending;
    };
    const setOption = (name) => (value) => {
      if (pending !== null) throw new Error("cursor." + name + "() must be called before the cursor is read");
      options[name] = value;
      return cursor;
    };
    const cursor = {
      sort: setOption("sort"),
      limit: setOption("limit"),
      skip: setOption("skip"),
      project: setOption("projection"),
      toArray: () => load(),
      next: async () => { const docs = await load(); return position < docs.length ? docs[position++] : null; },
      hasNext: async () => { const docs = await load(); return position < docs.length; },
      then: (onFulfilled, onRejected) => load().then(onFulfilled, onRejected),
      catch: (onRejected) => load().catch(onRejected),
    };
    return cursor;
  };

  return freeze({
    databaseName: database,
    collectionName: collection,
    find: (filter, second, third) => makeCursor("find", filter ?? {}, findOptions(second, third)),
    findOne: (filter, second, third) => send("findOne", [filter ?? {}, findOptions(second, third)]),
    count: (filter, options) => send("count", [filter ?? {}, options]),
    countDocuments: (filter, options) => send("count", [filter ?? {}, options]),
    aggregate: (pipeline) => makeCursor("aggregate", pipeline, {}),
    insertOne: (document) => send("insertOne", [document]),
    insertMany: (documents) => send("insertMany", [documents]),
    updateOne: (filter, update, options) => send("updateOne", [filter, update, options]),
    updateMany: (filter, update, options) => send("updateMany", [filter, update, options]),
    deleteOne: (filter) => send("deleteOne", [filter ?? {}]),
    deleteMany: (filter) => send("deleteMany", [filter ?? {}]),
    findOneAndUpdate: (filter, update, options) => send("findOneAndUpdate", [filter, update, options]),
    findOneAndReplace: (filter, replacement, options) => send("findOneAndReplace", [filter, replacement, options]),
    findOneAndDelete: (filter, options) => send("findOneAndDelete", [filter ?? {}, options]),
    watch: () => { throw new Error("collection.watch() is not available in functions; clients can watch through the data API"); },
  });
};

const makeServices = (serviceNames) => freeze({
  get: (name) => {
    if (!serviceNames.includes(name)) throw new Error("service not found: '" + String(name) + "'");
    return freeze({
      db: (database) => freeze({
        collection: (collection) => makeCollection(name, String(database), String(collection)),
      }),
    });
  },
});
`;
