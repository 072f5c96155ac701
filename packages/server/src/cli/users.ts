import { AppError } from "@atoll/protocol";
import type { Command } from "commander";
import type { StoredUser } from "../auth/UserStore.js";
import { AppStore, type AppStoreOptions } from "./openAppStore.js";
import { parseStorageSpec } from "./options.js";
import { runCommand } from "./runCommand.js";

interface UsersOptions extends AppStoreOptions {
  json?: boolean;
}

/**
 * `atoll users …`: what the App Users page of the Atlas UI did, on the store a running
 * server uses. Every change is written to the app's log.
 */
export function addUsersCommand(program: Command): void {
  const users = program
    .command("users")
    .description("list, create, disable, enable and delete the app's users");
  const withStore = (command: Command): Command =>
    command
      .option("--app <dir>", "the app export directory", ".")
      .option(
        "--storage <spec>",
        "the store the server uses: sqlite:<file>, memory or postgres://… (default sqlite:./data/<appId>.db)",
        parseStorageSpec,
      );

  withStore(users.command("list").description("list users with their identities"))
    .option("--json", "one JSON object per line")
    .action((options: UsersOptions) => runCommand(() => listUsers(options)));

  withStore(users.command("create").description("create a confirmed email/password user"))
    .requiredOption("--email <email>", "the user's email")
    .requiredOption("--password <password>", "the user's password (6 to 128 characters)")
    .action((options: UsersOptions & { email: string; password: string }) =>
      runCommand(() => createUser(options)),
    );

  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    withStore(
      users
        .command(`${name} <userId>`)
        .description(`${name} a user${disabled ? " and end its sessions" : ""}`),
    ).action((userId: string, options: UsersOptions) =>
      runCommand(() => setDisabled(userId, disabled, options)),
    );
  }

  withStore(
    users
      .command("delete <userId>")
      .description("delete a user with its identities, sessions and API keys"),
  ).action((userId: string, options: UsersOptions) =>
    runCommand(() => deleteUser(userId, options)),
  );
}

async function listUsers(options: UsersOptions): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    const users = await auth.users.list();
    if (options.json === true) {
      for (const user of users) process.stdout.write(`${JSON.stringify(user)}\n`);
      return;
    }
    if (users.length === 0) {
      process.stdout.write("no users\n");
      return;
    }
    for (const user of users) process.stdout.write(`${describeUser(user)}\n`);
  });
}

function describeUser(user: StoredUser): string {
  const providers = [...new Set(user.identities.map((i) => i.provider_type))].join(",");
  const email = typeof user.data["email"] === "string" ? ` ${user.data["email"]}` : "";
  const state = user.disabled ? "disabled" : "enabled";
  const created = user.createdAt?.toISOString() ?? "-";
  return `${user.id}  ${user.type.padEnd(6)} ${state.padEnd(8)} ${created}  ${providers}${email}`;
}

async function createUser(
  options: UsersOptions & { email: string; password: string },
): Promise<void> {
  await AppStore.use(options, async (store) => {
    // Confirmation links the provider would e-mail are confirmed here, as an administrator may.
    const links: { url: string }[] = [];
    const auth = await store.auth((link) => {
      links.push(link);
    });
    const accounts = auth.emailPassword();
    await accounts.register({ email: options.email, password: options.password });
    for (const link of links.splice(0)) {
      const query = new URLSearchParams(link.url.slice(link.url.indexOf("?") + 1));
      await accounts.confirm({
        token: query.get("token") ?? "",
        tokenId: query.get("tokenId") ?? "",
      });
    }
    // Users exist from their first login: log in once, then end that session.
    const login = await auth.logIn("local-userpass", {
      username: options.email,
      password: options.password,
    });
    if (login.refresh_token !== null)
      await auth.logOut(await auth.authenticateRefresh(login.refresh_token));
    await store.logs.append({
      time: new Date(),
      type: "auth",
      userId: login.user_id,
      outcome: "ok",
      message: `user ${options.email} created from the command line`,
    });
    process.stdout.write(`${login.user_id}\n`);
  });
}

async function setDisabled(
  userId: string,
  disabled: boolean,
  options: UsersOptions,
): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    await auth.setUserDisabled(userId, disabled);
    await store.logs.append({
      time: new Date(),
      type: "auth",
      userId,
      outcome: "ok",
      message: `user ${disabled ? "disabled" : "enabled"} from the command line`,
    });
    process.stdout.write(`user ${userId} ${disabled ? "disabled" : "enabled"}\n`);
  });
}

async function deleteUser(userId: string, options: UsersOptions): Promise<void> {
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    if ((await auth.users.get(userId)) === undefined)
      throw new AppError("UserNotFound", `no user has the id ${userId}`);
    await auth.deleteUser(userId);
    await store.logs.append({
      time: new Date(),
      type: "auth",
      userId,
      outcome: "ok",
      message: "user deleted from the command line",
    });
    process.stdout.write(`user ${userId} deleted\n`);
  });
}
