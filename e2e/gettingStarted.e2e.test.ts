/**
 * The device example of docs/getting-started.md as written there, with the server's URL, a
 * directory for the files and field declarations for the type checker added: a car written on
 * the device reaches the server's collection.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import Realm, { App, Credentials, type BSON, type ObjectSchema } from "@atoll/client";
import { useAppServer } from "../packages/client/src/test-support/appServer.js";

const server = useAppServer();
const baseFilePath = mkdtempSync(join(tmpdir(), "atoll-getting-started-"));
afterAll(() => rmSync(baseFilePath, { recursive: true, force: true }));

class Car extends Realm.Object<Car> {
  declare _id: BSON.ObjectId;
  declare ownerId: string;
  declare make: string;
  static override schema: ObjectSchema = {
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
}

it("syncs the getting-started car to the server", async () => {
  const app = new App({ id: "cars", baseUrl: server().url, baseFilePath });
  const user = await app.logIn(Credentials.anonymous());
  const errors: string[] = [];
  const realm = await Realm.open({
    schema: [Car],
    sync: {
      user,
      flexible: true,
      initialSubscriptions: {
        update: (subs, realm) =>
          subs.add(realm.objects(Car).filtered("miles < 100 OR miles == $0", null), {
            name: "new-car-subscription",
          }),
      },
      onError: (_session, error) => errors.push(error.message),
    },
  });
  const _id = new Realm.BSON.ObjectId();
  realm.write(() => {
    realm.create(Car, { _id, ownerId: user.id, make: "Toyota", miles: 2 });
  });
  await realm.syncSession!.waitForUpload();

  const stored = await server()
    .server.data.system()
    .db("cars-db")
    .collection("Car")
    .findOne({ _id });
  expect(stored).toMatchObject({ ownerId: user.id, make: "Toyota" });
  expect(errors).toEqual([]);
  realm.close();
});
