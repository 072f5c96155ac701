/** What the evaluation pool and its workers send each other. */
import type { AppErrorCode } from "@atoll/protocol";
import type { QueryLimits } from "./queryLimits.js";

export type WorkerBounds = Pick<QueryLimits, "maxRegexLength" | "maxRangeLength" | "maxResultBytes">;

export interface EvaluationRequest {
  /** Canonical Extended JSON of `{docs, stages}`. */
  readonly input: string;
}

export type EvaluationReply =
  | { readonly output: string }
  | { readonly error: { readonly code: AppErrorCode; readonly message: string } };
