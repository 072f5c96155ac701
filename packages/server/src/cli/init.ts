import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { AtollError } from "@atoll/protocol";
import type { Command } from "commander";
import { loadAppConfig } from "../config/loadAppConfig.js";
import { runCommand } from "./runCommand.js";
import { scaffoldFiles } from "./scaffold.js";

export function addInitCommand(program: Command): void {
  program
    .command("init <dir>")
    .description(
      "create a new app export to serve (a Task collection, sync, sign-in, one function)",
    )
    .option("--name <name>", "the app's name and id (default: the directory's name)")
    .action((dir: string, options: { name?: string }) => runCommand(() => init(dir, options.name)));
}

async function init(dir: string, requestedName: string | undefined): Promise<void> {
  const name = requestedName ?? appNameFrom(dir);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw new AtollError(
      "InvalidAppName",
      `"${name}" cannot be an app name: use letters, digits, - and _ (--name sets it)`,
    );
  }
  if ((await entriesOf(dir)).length > 0) {
    throw new AtollError("DirectoryNotEmpty", `${dir} is not empty: choose a new directory`);
  }
  for (const [file, content] of Object.entries(scaffoldFiles(name))) {
    const target = path.join(dir, ...file.split("/"));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(
      target,
      typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`,
    );
  }
  const config = await loadAppConfig(dir);
  process.stdout.write(
    [
      `Created app "${config.appId}" in ${dir}`,
      "Serve it with:",
      `  atoll serve --app ${/^[\w./-]+$/.test(dir) ? dir : JSON.stringify(dir)}`,
      "",
    ].join("\n"),
  );
}

function appNameFrom(dir: string): string {
  return path
    .basename(path.resolve(dir))
    .replace(/[^A-Za-z0-9_-]/g, "-")
    .replace(/^-+/, "");
}

async function entriesOf(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return [];
    throw error;
  }
}
