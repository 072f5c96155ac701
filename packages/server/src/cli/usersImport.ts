/**
 * `atoll users import <file>`: creates the users an App Services app exported, with their ids
 * and identities (see `auth/exportedUsers.ts` for the format), so documents and rules naming
 * user ids keep working. Email/password users come without a password (none is ever
 * exported): confirmed, they set one through the reset flow. Anonymous users are reported and
 * left out. Running it again creates only the users not yet there.
 */
import { readFile } from "node:fs/promises";
import { AppError } from "@atoll/protocol";
import type { Command } from "commander";
import { exportedUserEntries, readExportedUsers } from "../auth/exportedUsers.js";
import { AppStore, type AppStoreOptions } from "./openAppStore.js";
import { runCommand } from "./runCommand.js";

const USERPASS = "local-userpass";

export function addUsersImportCommand(
  users: Command,
  withStore: (command: Command) => Command,
): void {
  withStore(
    users
      .command("import <file>")
      .description(
        "create the users an App Services app exported (appservices users list -f json, or the Admin API's users), same ids and identities",
      ),
  ).action((file: string, options: AppStoreOptions) =>
    runCommand(() => importUsers(file, options)),
  );
}

async function importUsers(file: string, options: AppStoreOptions): Promise<void> {
  const content = await readFile(file, "utf8").catch((error: unknown) => {
    throw new AppError(
      "InvalidParameter",
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  });
  await AppStore.use(options, async (store) => {
    const auth = await store.auth(() => {});
    const providerName = (type: string) =>
      [...store.config.authProviders.values()].find((p) => p.type === type)?.name ?? type;
    const { users, skipped } = readExportedUsers(exportedUserEntries(content), providerName);
    let created = 0;
    let existing = 0;
    let passwordless = 0;
    for (const { user, position, lastSignIn } of users) {
      const userpass = user.identities.find((identity) => identity.provider_type === USERPASS);
      const email = typeof user.data.email === "string" ? user.data.email : undefined;
      if (userpass !== undefined && email === undefined) {
        skipped.push({
          position,
          id: user.id,
          reason: "an email/password identity without an email",
        });
        continue;
      }
      try {
        const outcome = await auth.users.restore(user, lastSignIn);
        if (outcome === "exists") {
          existing += 1;
          continue;
        }
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        skipped.push({ position, id: user.id, reason: error.message });
        continue;
      }
      created += 1;
      if (userpass !== undefined && email !== undefined) {
        await auth
          .emailPassword(userpass.provider_id)
          .restore({ email, identityId: userpass.id, createdAt: user.createdAt ?? new Date() });
        passwordless += 1;
      }
    }
    for (const skip of skipped)
      process.stderr.write(
        `skipped user ${skip.position}${skip.id === "" ? "" : ` (${skip.id})`}: ${skip.reason}\n`,
      );
    process.stdout.write(
      `created ${created} users${passwordless > 0 ? ` (${passwordless} email/password users set a password through the reset flow before they sign in)` : ""}; ${existing} already there; ${skipped.length} skipped\n`,
    );
  });
}
