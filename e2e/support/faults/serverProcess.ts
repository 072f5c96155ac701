/**
 * The server as its own process (`atoll serve` from the sources), for faults a test process
 * cannot inflict on itself: SIGKILL in the middle of the work, then a restart on the same
 * SQLite file and port. Node runs the CLI directly (the TypeScript loader imported into the
 * same process), so a signal reaches the server itself and not a wrapper.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../../packages/server/src/cli.ts", import.meta.url));
const LISTENING = /^Atoll listening on (http:\/\/[^ ]+) \(app ([^)]+)\)$/m;

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly appId: string;
  readonly pid: number;
  /** SIGKILL: no shutdown, no flush. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. Resolves once the process is gone. */
  stop(): Promise<void>;
  /** Resolves with the exit code once the process is gone (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

export function startServerProcess(options: {
  readonly appDir: string;
  /** A SQLite file, or else `storage`, any storage spec (`postgres://…`). */
  readonly storageFile?: string;
  readonly storage?: string;
  /** More `atoll serve` options. */
  readonly args?: readonly string[];
  readonly port?: number;
  /** Extra Node options for the server process (e.g. `--cpu-prof`). */
  readonly nodeOptions?: readonly string[];
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeOptions ?? []),
      "--import",
      "tsx",
      "--conditions=@atoll/source",
      CLI,
      "serve",
      "--app",
      options.appDir,
      "--port",
      String(options.port ?? 0),
      "--storage",
      options.storage ?? `sqlite:${options.storageFile ?? ""}`,
      "--log-level",
      "error",
      ...(options.args ?? []),
    ],
    { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  const signal = async (name: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const match = LISTENING.exec(output);
      if (!match) return;
      child.stdout.off("data", onData);
      child.stdout.resume();
      const url = match[1] ?? "";
      resolve({
        url,
        port: Number(new URL(url).port),
        appId: match[2] ?? "",
        pid: child.pid ?? 0,
        kill: () => signal("SIGKILL"),
        stop: () => signal("SIGTERM"),
        exited,
      });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    void exited.then(() => reject(new Error(`the server exited before listening:\n${output}`)));
  });
}
