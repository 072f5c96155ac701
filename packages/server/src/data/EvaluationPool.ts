/**
 * A small pool of worker processes that evaluate client pipelines (and computed projections)
 * away from the server's event loop and heap, each within a heap cap and a wall-clock limit.
 * Processes rather than threads: V8 ends the whole process when one large allocation
 * overflows a heap, so only a separate process keeps such a query from taking the server with
 * it. A worker that runs past the limit is killed and the request answered
 * `ExecutionTimeLimitExceeded`; one that runs out of memory dies alone and the request is
 * answered `MongoDBError`. Either way a fresh worker takes its place for the next evaluation.
 * Evaluations beyond the pool's size wait their turn, in arrival order, up to a bounded
 * number; beyond that a request is answered `TooManyRequests` at once.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AppError, deserializeEjson, stringifyCanonicalEjson } from "@atoll/protocol";
import type { EvaluationReply, EvaluationRequest, WorkerBounds } from "./evaluationMessages.js";
import type { QueryLimits } from "./queryLimits.js";
import type { Document } from "./types.js";

/** How long a new worker may take to load before the evaluation waiting for it fails. */
const WORKER_START_TIMEOUT_MS = 60_000;

interface Job {
  readonly input: string;
  readonly resolve: (docs: Document[]) => void;
  readonly reject: (error: AppError) => void;
}

export class EvaluationPool {
  readonly #idle: ChildProcess[] = [];
  readonly #started = new WeakMap<ChildProcess, Promise<boolean>>();
  readonly #queue: Job[] = [];
  #running = 0;
  #closed = false;

  constructor(private readonly limits: QueryLimits) {}

  /** Runs `stages` over `docs` in a worker. */
  run(docs: readonly Document[], stages: readonly Document[]): Promise<Document[]> {
    if (this.#closed) return Promise.reject(shuttingDown());
    if (this.#queue.length >= this.limits.maxQueuedEvaluations) {
      return Promise.reject(
        new AppError(
          "TooManyRequests",
          "too many queries are waiting to be evaluated; try again later",
        ),
      );
    }
    const input = stringifyCanonicalEjson({ docs, stages });
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#dispatch();
    });
  }

  close(): void {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(shuttingDown());
    for (const worker of this.#idle.splice(0)) worker.kill("SIGKILL");
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && this.#running < this.limits.workers) {
      const job = this.#queue.shift()!;
      this.#running += 1;
      const worker = this.#idle.pop() ?? this.#spawn();
      void this.#started.get(worker)?.then((started) => {
        if (started) {
          this.#runOn(worker, job);
        } else {
          this.#running -= 1;
          job.reject(new AppError("InternalServerError", "a query worker could not be started"));
          this.#dispatch();
        }
      });
    }
  }

  /** Sends `job` to a started worker; its time limit runs from here. */
  #runOn(worker: ChildProcess, job: Job): void {
    let settled = false;
    const finish = (keep: boolean, outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      this.#running -= 1;
      if (keep && !this.#closed) {
        // Idle workers (and their IPC channels) must not keep the server process alive.
        worker.unref();
        worker.channel?.unref();
        this.#idle.push(worker);
      } else {
        worker.kill("SIGKILL");
      }
      outcome();
      this.#dispatch();
    };
    const onMessage = (reply: EvaluationReply): void =>
      finish(true, () => {
        if ("error" in reply) job.reject(new AppError(reply.error.code, reply.error.message));
        else if ("output" in reply)
          job.resolve(deserializeEjson(JSON.parse(reply.output)) as Document[]);
        else job.reject(new AppError("InternalServerError", "a query worker answered out of turn"));
      });
    // A worker that exits mid-evaluation ran out of memory (or was killed from outside).
    const onExit = (): void =>
      finish(false, () =>
        job.reject(
          new AppError(
            "MongoDBError",
            `the query needed more than ${this.limits.workerMemoryMb} MB of memory and was stopped`,
          ),
        ),
      );
    const timer = setTimeout(
      () =>
        finish(false, () =>
          job.reject(
            new AppError(
              "ExecutionTimeLimitExceeded",
              `the query ran longer than ${this.limits.timeoutMs} ms and was stopped`,
            ),
          ),
        ),
      this.limits.timeoutMs,
    );
    worker.on("message", onMessage);
    worker.on("exit", onExit);
    // Busy, the worker keeps the process alive like any pending request.
    worker.ref();
    worker.channel?.ref();
    const request: EvaluationRequest = { input: job.input };
    worker.send(request);
  }

  #spawn(): ChildProcess {
    const bounds: WorkerBounds = {
      maxRegexLength: this.limits.maxRegexLength,
      maxRangeLength: this.limits.maxRangeLength,
      maxResultBytes: this.limits.maxResultBytes,
    };
    const worker = startWorker(JSON.stringify(bounds), [
      `--max-old-space-size=${this.limits.workerMemoryMb}`,
    ]);
    // A worker that dies while idle is forgotten; one that cannot be reached is killed.
    worker.on("exit", () => {
      const index = this.#idle.indexOf(worker);
      if (index >= 0) this.#idle.splice(index, 1);
    });
    worker.on("error", () => worker.kill("SIGKILL"));
    this.#started.set(worker, untilReady(worker));
    return worker;
  }
}

function startWorker(bounds: string, heapFlags: string[]): ChildProcess {
  const stdio = ["ignore", "ignore", "ignore", "ipc"] as const;
  if (!import.meta.url.endsWith(".ts")) {
    return fork(fileURLToPath(new URL("./evaluationWorker.js", import.meta.url)), [bounds], {
      execArgv: heapFlags,
      stdio: [...stdio],
    });
  }
  // Running from the TypeScript sources (tests): the worker loads them through tsx, resolving
  // workspace packages to their sources as the test runner does.
  const entry = fileURLToPath(new URL("./evaluationWorker.ts", import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return fork(entry, [bounds], {
    execArgv: [...heapFlags, "--import", tsx, "--conditions=@atoll/source"],
    stdio: [...stdio],
  });
}

/** Resolves true once the worker has loaded, false if it exits or takes too long first. */
function untilReady(worker: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (started: boolean): void => {
      clearTimeout(timer);
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      if (!started) worker.kill("SIGKILL");
      resolve(started);
    };
    const onMessage = (message: EvaluationReply): void => {
      if ("ready" in message) done(true);
    };
    const onExit = (): void => done(false);
    const timer = setTimeout(() => done(false), WORKER_START_TIMEOUT_MS);
    timer.unref();
    worker.on("message", onMessage);
    worker.on("exit", onExit);
  });
}

function shuttingDown(): AppError {
  return new AppError("InternalServerError", "the server is shutting down");
}
