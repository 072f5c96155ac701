/**
 * A native Realm device for tests: the `realm-flx` program, linked against realm-core 14.14.0
 * (the engine of the Flutter, Swift, Kotlin, React Native and .NET SDKs), driven by JSON lines
 * on its standard input. Each command gets one answer line; lines with an `event` key are
 * asynchronous events (sync errors, connection changes).
 *
 * The program is found at $REALM_FLX, else at ../shared/realm-client/bin/realm-flx next to the
 * repository. A missing program fails the test that needs it, with where it was looked for.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPOSITORY_ROOT = fileURLToPath(new URL("../../../../../../", import.meta.url));

export function realmFlxPath(): string {
  const configured = process.env["REALM_FLX"];
  const found = configured ?? path.resolve(REPOSITORY_ROOT, "../shared/realm-client/bin/realm-flx");
  if (!existsSync(found)) {
    throw new Error(
      `The realm-core test client realm-flx is not at ${found}; build it or set REALM_FLX to its path`,
    );
  }
  return found;
}

export type Answer = { ok: true } & Record<string, unknown>;
export type RealmEvent = { event: string } & Record<string, unknown>;

export class RealmFlxDevice {
  readonly events: RealmEvent[] = [];
  private readonly answers: ((line: Record<string, unknown>) => void)[] = [];
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<void>;
  private readonly eventWaiters: (() => void)[] = [];
  readonly dir: string;

  private constructor(readonly name: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), `realm-flx-${name}-`));
    this.process = spawn(realmFlxPath(), [], { stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => this.process.on("exit", () => resolve()));
    this.process.stdin.on("error", () => undefined);
    createInterface({ input: this.process.stdout }).on("line", (line) => this.line(line));
    this.process.on("exit", () => {
      for (const answer of this.answers.splice(0))
        answer({ ok: false, error: { code: "Exited", message: `${this.name} exited` } });
    });
  }

  /**
   * Starts the program and creates its App against `baseUrl`; `options` go to the `app`
   * command (`multiplex: false`: one connection per session, closed with its session).
   */
  static async start(
    name: string,
    baseUrl: string,
    appId: string,
    options: Record<string, unknown> = {},
  ): Promise<RealmFlxDevice> {
    const device = new RealmFlxDevice(name);
    await device.command({
      cmd: "app",
      baseUrl,
      appId,
      dir: device.dir,
      maxReconnectDelay: 500,
      ...options,
    });
    return device;
  }

  /** Sends a command and returns its answer; a refusal throws with realm-core's message. */
  async command(command: Record<string, unknown>): Promise<Answer> {
    const answer = await this.send(command);
    if (answer.ok !== true)
      throw new Error(`${this.name} ${String(command.cmd)}: ${JSON.stringify(answer.error)}`);
    return answer as Answer;
  }

  /** Sends a command and returns its answer, refusals included. */
  send(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.answers.push(resolve);
      this.process.stdin.write(`${JSON.stringify(command)}\n`);
    });
  }

  /** Resolves with the first event (already seen or to come) that `matches`. */
  async event(matches: (event: RealmEvent) => boolean): Promise<RealmEvent> {
    for (;;) {
      const found = this.events.find(matches);
      if (found !== undefined) return found;
      await new Promise<void>((resolve) => this.eventWaiters.push(resolve));
    }
  }

  async quit(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      this.process.stdin.end(`${JSON.stringify({ cmd: "quit" })}\n`);
      const killer = setTimeout(() => this.process.kill("SIGKILL"), 5000);
      await this.exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private line(text: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { event: "garbage", line: text };
    }
    if (typeof parsed.event === "string") {
      this.events.push(parsed as RealmEvent);
      for (const wake of this.eventWaiters.splice(0)) wake();
      return;
    }
    this.answers.shift()?.(parsed);
  }
}
