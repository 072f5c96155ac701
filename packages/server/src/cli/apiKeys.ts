/**
 * `atoll api-keys …`: the server API keys the App Services UI created. A server key logs in
 * through the `api-key` provider as a user of type "server"; the key is printed once, at
 * creation. Every change is written to the app's log.
 */
import type { Command } from "commander";
import { AppStore, type AppStoreOptions } from "./openAppStore.js";
import { parseStorageSpec } from "./options.js";
import { runCommand } from "./runCommand.js";

export function addApiKeysCommand(program: Command): void {
  const keys = program
    .command("api-keys")
    .description("create, list and delete server API keys (the api-key provider)");
  const withStore = (command: Command): Command =>
    command
      .option("--app <dir>", "the app export directory", ".")
      .option(
        "--storage <spec>",
        "the store the server uses (default sqlite:./data/<appId>.db)",
        parseStorageSpec,
      );

  withStore(keys.command("create").description("create a server API key; prints the key once"))
    .requiredOption("--name <name>", "the key's name, unique among server keys")
    .action((options: AppStoreOptions & { name: string }) => runCommand(() => createKey(options)));
  withStore(keys.command("list").description("list server API keys: id, state, name")).action(
    (options: AppStoreOptions) => runCommand(() => listKeys(options)),
  );
  withStore(
    keys
      .command("delete <keyId>")
      .description("delete a server API key with the server user it logged in"),
  ).action((keyId: string, options: AppStoreOptions) =>
    runCommand(() => deleteKey(keyId, options)),
  );
}

async function createKey(options: AppStoreOptions & { name: string }): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    const created = await auth.apiKeys.createServerKey(options.name);
    await store.logs.append({
      time: new Date(),
      type: "auth",
      outcome: "ok",
      message: `server API key ${created.name} (${created._id}) created from the command line`,
    });
    process.stdout.write(`${created._id}  ${created.name}\n${created.key}\n`);
  });
}

async function listKeys(options: AppStoreOptions): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    const keys = await auth.apiKeys.listServerKeys();
    if (keys.length === 0) process.stdout.write("no server API keys\n");
    for (const key of keys)
      process.stdout.write(`${key._id}  ${key.disabled ? "disabled" : "enabled "}  ${key.name}\n`);
  });
}

async function deleteKey(keyId: string, options: AppStoreOptions): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    await auth.deleteServerApiKey(keyId);
    await store.logs.append({
      time: new Date(),
      type: "auth",
      outcome: "ok",
      message: `server API key ${keyId} deleted from the command line`,
    });
    process.stdout.write(`server API key ${keyId} deleted\n`);
  });
}
