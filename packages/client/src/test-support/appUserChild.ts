/**
 * Child process for the users-on-disk test: opens the App a parent process used (same id,
 * server and baseFilePath), and, as the restored current user, calls the seeds'
 * `writeCustomUserData`; prints `{currentUserId, state}` as JSON.
 */
import { App } from "../app/App.js";

const [id, baseUrl, baseFilePath, food] = process.argv.slice(2) as [string, string, string, string];
const app = new App({ id, baseUrl, baseFilePath });
const user = app.currentUser;
if (user !== null) await user.functions.call("writeCustomUserData", { favoriteFood: food });
process.stdout.write(
  JSON.stringify({ currentUserId: user?.id ?? null, state: user?.state ?? null }),
);
