/**
 * Child process for the crash test: logs in, opens a synced realm with its session paused
 * (so nothing is uploaded), commits `count` cars one transaction each, prints "written" and
 * waits to be killed. Arguments: server URL, app id, base file path, email, password, count.
 */
import { ObjectId } from "bson";
import { App, Credentials, Realm } from "@atoll/client";
import { CarSchema, SensorReadingSchema } from "./carModel.js";

const [baseUrl, appId, baseFilePath, email, password, count] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const app = new App({ id: appId, baseUrl, baseFilePath });
const user = await app.logIn(Credentials.emailPassword(email, password));
const realm = new Realm({
  schema: [CarSchema, SensorReadingSchema],
  sync: {
    user,
    flexible: true,
    initialSubscriptions: { update: (subs, r) => void subs.add(r.objects("Car"), { name: "all" }) },
  },
});
realm.syncSession!.pause();
for (let i = 0; i < Number(count); i++) {
  realm.write(() =>
    realm.create("Car", { _id: new ObjectId(), ownerId: user.id, make: `crash-${i}`, miles: i }),
  );
}
process.stdout.write("written\n");
setInterval(() => undefined, 1000);
