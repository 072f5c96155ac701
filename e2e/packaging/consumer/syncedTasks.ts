/**
 * A small synced app as a user would write it, type-checked and run from a project that
 * installed the packed packages. `write <baseUrl> <appId> <summary>` logs in anonymously,
 * creates a task and waits until the server has it; `read <baseUrl> <appId> <summary>` logs in
 * as another anonymous user on a device of its own and prints, as JSON, the summaries of the
 * matching tasks that sync brought down and those the data API's pipeline finds, and what the
 * app's `greet` function answers.
 */
import Realm, { App, Credentials, type ObjectSchema } from "@atoll/client";

class Task extends Realm.Object<Task> {
  declare _id: Realm.BSON.ObjectId;
  declare owner_id: string;
  declare summary: string;
  declare isComplete?: boolean;

  static override schema: ObjectSchema = {
    name: "Task",
    primaryKey: "_id",
    properties: { _id: "objectId", owner_id: "string", summary: "string", isComplete: "bool?" },
  };
}

const [mode, baseUrl, appId, summary] = process.argv.slice(2);
if ((mode !== "write" && mode !== "read") || !baseUrl || !appId || !summary) {
  throw new Error("usage: syncedTasks write|read <baseUrl> <appId> <summary>");
}

const app = new App({ id: appId, baseUrl, baseFilePath: `device-${mode}` });
const user = await app.logIn(Credentials.anonymous());
const realm = await Realm.open({
  schema: [Task],
  sync: {
    user,
    flexible: true,
    initialSubscriptions: { update: (subs, realm) => subs.add(realm.objects(Task)) },
    onError: (_session, error) => console.error(error.message),
  },
});

if (mode === "write") {
  realm.write(() => {
    realm.create(Task, { _id: new Realm.BSON.ObjectId(), owner_id: user.id, summary });
  });
  await realm.syncSession?.uploadAllLocalChanges();
} else {
  const synced = realm
    .objects(Task)
    .filtered("summary == $0", summary)
    .map((task) => task.summary);
  const found = await user
    .mongoClient("mongodb-atlas")
    .db(`${appId}-db`)
    .collection("Task")
    .aggregate([{ $match: { summary } }, { $project: { _id: 0, summary: 1 } }]);
  const greeting: unknown = await user.functions.greet?.("world");
  console.log(JSON.stringify({ synced, found, greeting }));
}
realm.close();
await user.logOut();
