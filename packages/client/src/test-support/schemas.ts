/** A schema touching every property type, shared by the client tests. */
import type { ObjectSchema } from "../schema/types.js";

export const AllTypes: ObjectSchema = {
  name: "AllTypes",
  primaryKey: "_id",
  properties: {
    _id: "int",
    bool: "bool",
    int: "int",
    float: "float",
    double: "double",
    decimal: "decimal128",
    string: "string",
    data: "data",
    date: "date",
    objectId: "objectId",
    uuid: "uuid",
    mixed: "mixed",
    optString: "string?",
    link: "Item?",
    list: "int[]",
    linkList: "Item[]",
    set: "string<>",
    dictionary: "double{}",
    embedded: "Detail?",
    embeddedList: "Detail[]",
  },
};

export const Item: ObjectSchema = {
  name: "Item",
  primaryKey: "name",
  properties: {
    name: "string",
    price: { type: "double", default: 1.5 },
    owners: { type: "linkingObjects", objectType: "AllTypes", property: "linkList" },
  },
};

export const Detail: ObjectSchema = {
  name: "Detail",
  embedded: true,
  properties: { note: "string", rank: "int?" },
};

export const allTypesSchema = [AllTypes, Item, Detail];
