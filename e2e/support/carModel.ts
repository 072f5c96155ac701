/** The seeds' Car model and the cars app's asymmetric SensorReading, as client schemas. */
import type { ObjectSchema, Object as RealmObject, Realm, Results } from "@atoll/client";
import type { ObjectId } from "bson";

export const CarSchema: ObjectSchema = {
  name: "Car",
  primaryKey: "_id",
  properties: {
    _id: "objectId",
    ownerId: "string",
    make: "string",
    model: "string?",
    miles: "int?",
  },
};

export const SensorReadingSchema: ObjectSchema = {
  name: "SensorReading",
  asymmetric: true,
  primaryKey: "_id",
  properties: {
    _id: "objectId",
    ownerId: "string",
    carId: "objectId",
    timestamp: "date",
    value: "double",
  },
};

export interface Car {
  _id: ObjectId;
  ownerId: string;
  make: string;
  model?: string | null;
  miles?: number | null;
}

export const seedSubscription = (realm: Realm): Results<Car & RealmObject> =>
  realm.objects<Car>("Car").filtered("miles < 100 OR miles == $0", null);
