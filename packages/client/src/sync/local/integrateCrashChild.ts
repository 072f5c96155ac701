/**
 * Child process for the download crash test: integrates downloads of 2,000 new objects each
 * (object `batch` = the download's server version) until killed; says "integrating" after the
 * third.
 */
import { Realm } from "../../Realm.js";
import { localSyncStateFor } from "./LocalSyncState.js";
import { databaseOf, fromServer, long, on, syncSchema } from "./testSupport.js";

const [path] = process.argv.slice(2);
const realm = new Realm({ path: path as string, schema: syncSchema, sync: { flexible: true } });
const state = localSyncStateFor(databaseOf(realm));
let version = state.metadata().download.serverVersion;

const loop = (): void => {
  version++;
  const instructions = [];
  for (let i = 0; i < 2000; i++) {
    const car = on("Car", `${version}-${i}`);
    instructions.push(car.create(), car.set(["miles"], long(version)));
  }
  state.integrate({
    changesets: [fromServer(instructions)],
    uploadAcknowledged: 0,
    metadata: { download: { serverVersion: version, lastIntegratedClientVersion: 0 } },
  });
  if (version === 3) process.stdout.write("integrating\n");
  setImmediate(loop);
};
loop();
