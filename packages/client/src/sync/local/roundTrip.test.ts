import { Decimal128, ObjectId, UUID } from "bson";
import { decodeChangeset, encodeChangeset } from "@atoll/protocol";
import { describe, expect, it } from "vitest";
import type { RealmObject } from "../../objects/RealmObject.js";
import { useRealms, useTempDir } from "../../test-support/realms.js";
import { allTypesSchema } from "../../test-support/schemas.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { databaseOf, fromServer } from "./testSupport.js";

type Obj = RealmObject & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- dynamic schema in tests

describe("a local changeset applied on another device", () => {
  const path = useTempDir();
  const open = useRealms();
  const sync = { flexible: true as const };

  it("recreates every value type exactly (the applier inverts the changeset encoding)", () => {
    const writer = open({ path: path(), schema: allTypesSchema, sync });
    const values = (mixed: unknown) => ({
      bool: true,
      int: 2 ** 40,
      float: 0.5,
      double: -1e300,
      decimal: Decimal128.fromString("1E-10"),
      string: "ünïcødé",
      data: new Uint8Array([0, 255]),
      date: new Date(1e12),
      objectId: new ObjectId("65a1b2c3d4e5f60718293a4b"),
      uuid: new UUID("0936f9e0-5fcf-4839-804c-d9a0730e656f"),
      mixed,
      optString: null,
      link: { name: "pen", price: 2 },
      list: [1, -2],
      linkList: [{ name: "cup" }, { name: "pen" }],
      set: ["s", "t"],
      dictionary: { k: 1.25 },
      embedded: { note: "e", rank: 3 },
      embeddedList: [{ note: "l1" }, { note: "l2", rank: null }],
    });
    const mixedValues = [
      7,
      7.5,
      "m",
      new Date(5),
      new Uint8Array([9]),
      new UUID(),
      new ObjectId(),
      Decimal128.fromString("2"),
      null,
    ];
    writer.write(() => {
      mixedValues.forEach((mixed, i) =>
        writer.create("AllTypes", { _id: i, ...values(mixed) }, true),
      );
    });
    writer.write(() => {
      const first = writer.objectForPrimaryKey<Obj>("AllTypes", 0) as Obj;
      first.list.move(0, 1);
      first.embeddedList[1].rank = 4;
      first.set.delete("s");
      delete first.dictionary.k;
      first.dictionary.j = 3;
      writer.delete(writer.objectForPrimaryKey("Item", "cup"));
    });
    const changesets = localSyncStateFor(databaseOf(writer))
      .pendingUploads()
      .map((upload) => decodeChangeset(encodeChangeset(decodeChangeset(upload.changeset))));

    const reader = open({ path: path(), schema: allTypesSchema, sync });
    localSyncStateFor(databaseOf(reader)).integrate({
      changesets: changesets.map((instructions) => fromServer(instructions)),
      uploadAcknowledged: 0,
    });
    const dump = (realm: typeof writer): unknown[] =>
      realm.objects<Obj>("AllTypes").map((o) => ({
        ...o.toJSON(),
        data: [...new Uint8Array(o.data as ArrayBuffer)],
        mixed: o.mixed instanceof ArrayBuffer ? [...new Uint8Array(o.mixed)] : o.mixed,
      }));
    expect(dump(reader)).toEqual(dump(writer));
    expect(reader.objects("Item").map((i) => i.toJSON())).toEqual(
      writer.objects("Item").map((i) => i.toJSON()),
    );
  });
});
