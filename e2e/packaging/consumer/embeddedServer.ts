/**
 * The server embedded in a user's program, type-checked and run from a project that installed
 * the packed packages: `embeddedServer <appDir>` serves the app on a free port over memory
 * storage, prints its location response and stops.
 */
import { AtollServer, type AtollServerOptions } from "@atoll/server";

const [appDir] = process.argv.slice(2);
if (!appDir) throw new Error("usage: embeddedServer <appDir>");

const options: AtollServerOptions = { appDir, port: 0, storage: "memory", logLevel: "silent" };
const server = await AtollServer.start(options);
const response = await fetch(`${server.url}/api/client/v2.0/app/${server.appId}/location`);
console.log(JSON.stringify(await response.json()));
await server.close();
