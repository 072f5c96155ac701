import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
/**
 * Node runs the CLI itself, with tsx's loader, as `node dist/cli.js` would: signals reach the
 * CLI directly rather than through the tsx wrapper process, which relays them to its child
 * under timeouts of its own.
 */
const TSX_LOADER = new URL("../../../../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcessOptions {
  readonly cwd?: string;
  readonly env?: Record<string, string>;
  /** A built `atoll` script (an installed package's bin) to run instead of the sources. */
  readonly executable?: string;
}

/** The `atoll` CLI as a real child process, run from its TypeScript sources unless told. */
export class CliProcess {
  private stdoutText = "";
  private stderrText = "";
  private readonly exited: Promise<Finished>;
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(args: readonly string[], options: CliProcessOptions = {}) {
    const entry =
      options.executable === undefined
        ? ["--import", TSX_LOADER, "--conditions=@atoll/source", CLI]
        : [options.executable];
    this.child = spawn(process.execPath, [...entry, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
    });
    this.child.stdout.setEncoding("utf8").on("data", (chunk: string) => (this.stdoutText += chunk));
    this.child.stderr.setEncoding("utf8").on("data", (chunk: string) => (this.stderrText += chunk));
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) =>
        resolve({ code, signal, stdout: this.stdoutText, stderr: this.stderrText }),
      );
    });
  }

  get stdout(): string {
    return this.stdoutText;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Resolves with the first stdout line matching `pattern`; rejects if the process ends first. */
  waitForLine(pattern: RegExp): Promise<string> {
    return this.waitFor("stdout", pattern);
  }

  /** Resolves with the first stderr line matching `pattern`; rejects if the process ends first. */
  waitForStderrLine(pattern: RegExp): Promise<string> {
    return this.waitFor("stderr", pattern);
  }

  /** Resolves with the `count`th stderr line matching `pattern`; rejects if the process ends first. */
  waitForStderrLines(pattern: RegExp, count: number): Promise<string> {
    return this.waitFor("stderr", pattern, count);
  }

  private waitFor(stream: "stdout" | "stderr", pattern: RegExp, count = 1): Promise<string> {
    const text = (): string => (stream === "stdout" ? this.stdoutText : this.stderrText);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = text()
          .split("\n")
          .filter((l) => pattern.test(l))
          .at(count - 1);
        if (line === undefined) return false;
        this.child[stream].off("data", check);
        resolve(line);
        return true;
      };
      if (check()) return;
      this.child[stream].on("data", check);
      void this.exited.then((done) => {
        if (!check())
          reject(
            new Error(
              `the CLI exited (${done.code ?? done.signal}) before printing ${pattern} on ${stream}:\n${done.stdout}\n${done.stderr}`,
            ),
          );
      });
    });
  }

  signal(signal: NodeJS.Signals): Promise<Finished> {
    this.child.kill(signal);
    return this.exited;
  }

  finished(): Promise<Finished> {
    return this.exited;
  }
}

export function runCli(
  args: readonly string[],
  options: CliProcessOptions = {},
): Promise<Finished> {
  return new CliProcess(args, options).finished();
}
