/**
 * The bounds every client query (the HTTP data API and functions running as a user) is held
 * to. Static bounds refuse a request before anything runs; pipelines and computed
 * projections then run in a worker thread whose heap and wall-clock time are capped, so one
 * request can neither stop the event loop that serves everyone nor take the process down.
 * Operators set them through `AtollServer` options (`queryLimits`) or `atoll serve` flags.
 */
export interface QueryLimits {
  /** Wall-clock time one pipeline or computed projection may run in its worker. */
  readonly timeoutMs: number;
  /** Old-generation heap of one evaluation worker, in MB. */
  readonly workerMemoryMb: number;
  /** Evaluation workers running at once; further evaluations wait for a free one. */
  readonly workers: number;
  /** Evaluations that may wait for a worker; beyond them a request is refused at once. */
  readonly maxQueuedEvaluations: number;
  /** Stages in one pipeline. */
  readonly maxPipelineStages: number;
  /** Nesting depth of a filter, update, projection or pipeline document. */
  readonly maxNestingDepth: number;
  /** Elements one `$range` may produce. */
  readonly maxRangeLength: number;
  /** Characters in one regular expression pattern. */
  readonly maxRegexLength: number;
  /** Size of one evaluation's result, in bytes of Extended JSON. */
  readonly maxResultBytes: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  timeoutMs: 5_000,
  workerMemoryMb: 256,
  workers: 2,
  maxQueuedEvaluations: 100,
  maxPipelineStages: 100,
  maxNestingDepth: 64,
  maxRangeLength: 1_000_000,
  maxRegexLength: 4_096,
  maxResultBytes: 16 * 1024 * 1024,
};

export function queryLimits(overrides: Partial<QueryLimits> = {}): QueryLimits {
  const defined = Object.entries(overrides).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_QUERY_LIMITS, ...Object.fromEntries(defined) };
}
