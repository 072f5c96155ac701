/**
 * Child process for the crash-safety test. Mode "open-transaction": commits one object, then
 * begins a transaction, writes into it, says so, and waits to be killed. Mode "commit-loop":
 * commits batches of objects (each batch one transaction) until killed.
 */
import { Realm } from "../Realm.js";

const [path, mode] = process.argv.slice(2);
const schema = [
  { name: "Row", primaryKey: "id", properties: { id: "int", batch: "int", text: "string" } },
];
const realm = new Realm({ path: path as string, schema });

if (mode === "open-transaction") {
  realm.write(() => realm.create("Row", { id: 0, batch: 0, text: "committed" }));
  realm.beginTransaction();
  for (let i = 1; i <= 500; i++) realm.create("Row", { id: i, batch: 1, text: "uncommitted" });
  process.stdout.write("in-transaction\n");
  setInterval(() => undefined, 1000);
} else {
  let batch = 0;
  let id = 0;
  const loop = (): void => {
    batch++;
    realm.write(() => {
      for (let i = 0; i < 200; i++) realm.create("Row", { id: id++, batch, text: "x".repeat(100) });
    });
    if (batch === 3) process.stdout.write("committing\n");
    setImmediate(loop);
  };
  loop();
}
