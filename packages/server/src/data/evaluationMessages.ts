/** What the evaluation pool and its workers send each other. */
import type { AppErrorCode } from "@atoll/protocol";
import type { QueryLimits } from "./queryLimits.js";

export type WorkerBounds = Pick<
  QueryLimits,
  "maxRegexLength" | "maxRangeLength" | "maxResultBytes"
>;

export interface EvaluationRequest {
  /** Canonical Extended JSON of `{docs, stages}`. */
  readonly input: string;
}

/** The first message of a worker is `ready`; then one reply per request. */
export type EvaluationReply =
  | { readonly ready: true }
  | { readonly output: string }
  | { readonly error: { readonly code: AppErrorCode; readonly message: string } };
