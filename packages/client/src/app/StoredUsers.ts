/**
 * The app's users on disk: one JSON file per app (ids, tokens, state, device id, profile),
 * rewritten whole through a temporary file and a rename, so a new `App` in a new process
 * finds the same users and current user, and a crash never leaves half a file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const USERS_FILE_NAME = "atoll-users.json";
const FORMAT_VERSION = 1;

export interface ServerIdentity {
  readonly id: string;
  readonly provider_type: string;
}

/** The `GET /auth/profile` answer as kept (user type, identities, profile data). */
export interface ServerProfile {
  readonly type: string;
  readonly identities: readonly ServerIdentity[];
  readonly data: Readonly<Record<string, unknown>>;
}

export interface StoredUser {
  readonly id: string;
  readonly accessToken: string | null;
  readonly refreshToken: string | null;
  readonly state: "LoggedIn" | "LoggedOut";
  readonly deviceId: string | null;
  /** The provider of the user's last login. */
  readonly providerType: string;
  readonly profile: ServerProfile;
}

export interface StoredUserList {
  readonly currentUserId: string | null;
  /** Most recently logged in first. */
  readonly users: readonly StoredUser[];
}

export class StoredUsers {
  private readonly file: string;

  constructor(private readonly directory: string) {
    this.file = join(directory, USERS_FILE_NAME);
  }

  load(): StoredUserList {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        return { currentUserId: null, users: [] };
      throw error;
    }
    const parsed = JSON.parse(text) as { version?: unknown } & Partial<StoredUserList>;
    if (parsed.version !== FORMAT_VERSION || !Array.isArray(parsed.users)) {
      throw new Error(
        `${this.file} is not an Atoll users file of format ${FORMAT_VERSION} (found ${String(parsed.version)})`,
      );
    }
    return { currentUserId: parsed.currentUserId ?? null, users: parsed.users };
  }

  save(list: StoredUserList): void {
    mkdirSync(this.directory, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: FORMAT_VERSION, ...list }, null, 2));
    renameSync(temporary, this.file);
  }
}
