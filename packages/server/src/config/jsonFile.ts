import type { Dirent } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./ConfigError.js";

/**
 * Reads the export's JSON files. Paths are relative to the app directory so that errors name
 * the file the way the operator sees it in their export.
 */
export class AppFiles {
  constructor(readonly dir: string) {}

  absolute(relative: string): string {
    return path.join(this.dir, ...relative.split("/"));
  }

  async readText(relative: string): Promise<string | undefined> {
    try {
      return await readFile(this.absolute(relative), "utf8");
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw new ConfigError(relative, "", `cannot read the file (${describe(error)})`, {
        cause: error,
      });
    }
  }

  /** The parsed file, or `undefined` when it does not exist. */
  async readJson(relative: string): Promise<unknown> {
    const text = await this.readText(relative);
    return text === undefined ? undefined : parseJson(text, relative);
  }

  /** Entries of a directory of the export, sorted by name; none when it does not exist. */
  async list(relativeDir: string): Promise<Dirent[]> {
    try {
      const entries = await readdir(this.absolute(relativeDir), { withFileTypes: true });
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (isMissing(error)) return [];
      throw new ConfigError(relativeDir, "", `cannot read the directory (${describe(error)})`, {
        cause: error,
      });
    }
  }

  async jsonFilesIn(relativeDir: string): Promise<string[]> {
    return (await this.list(relativeDir))
      .filter((e) => e.isFile() && e.name.endsWith(".json"))
      .map((e) => e.name);
  }

  async requireJson(relative: string): Promise<unknown> {
    const value = await this.readJson(relative);
    if (value === undefined) throw new ConfigError(relative, "", "the file is missing");
    return value;
  }
}

export function parseJson(text: string, file: string): unknown {
  try {
    // A UTF-8 byte-order mark is legal in files saved by some editors; JSON.parse rejects it.
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const offset = position?.[1] === undefined ? text.length : Number(position[1]);
    const { line, column } = lineAndColumn(text, offset);
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, "");
    throw new ConfigError(file, "", `invalid JSON: ${reason}`, { line, column, cause: error });
  }
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

export function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
