import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** Store files hold the token signing key and every user's data: only their owner may read them. */
export const OWNER_ONLY_FILE_MODE = 0o600;
export const OWNER_ONLY_DIRECTORY_MODE = 0o700;

/**
 * Creates the directories leading to `file` (0700) and `file` itself (0600, empty) when they
 * are missing, before anything is written into it. SQLite gives the `-wal` and `-shm` files it
 * creates the mode of their database file. Existing files and directories keep their mode.
 */
export function createOwnerOnlyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  closeSync(openSync(file, "a", OWNER_ONLY_FILE_MODE));
}
