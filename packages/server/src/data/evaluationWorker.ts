/**
 * Entry point of an evaluation worker process (EvaluationPool.ts): runs one pipeline at a
 * time over the documents it is sent and answers with the result, both as canonical Extended
 * JSON so BSON values (ObjectId, Date, Decimal128, int64...) cross faithfully. A result larger
 * than the limit is refused here, before it is sent. Its bounds are its first argument (JSON);
 * it exits when the server that started it goes away.
 */
import { AppError, deserializeEjson, stringifyCanonicalEjson } from "@atoll/protocol";
import { runStages } from "./mql.js";
import type { EvaluationReply, EvaluationRequest, WorkerBounds } from "./evaluationMessages.js";
import type { Document } from "./types.js";

const bounds = JSON.parse(process.argv[2] ?? "{}") as WorkerBounds;

process.on("message", (request: EvaluationRequest) => {
  process.send?.(evaluate(request));
});
process.on("disconnect", () => process.exit(0));
const ready: EvaluationReply = { ready: true };
process.send?.(ready);

function evaluate(request: EvaluationRequest): EvaluationReply {
  try {
    const { docs, stages } = deserializeEjson(JSON.parse(request.input)) as {
      docs: Document[];
      stages: Document[];
    };
    const output = stringifyCanonicalEjson(runStages(docs, stages, undefined, bounds));
    if (output.length > bounds.maxResultBytes) {
      throw new AppError(
        "ReadSizeLimitExceeded",
        `the result is larger than ${bounds.maxResultBytes} bytes`,
      );
    }
    return { output };
  } catch (error) {
    if (error instanceof AppError) return { error: { code: error.code, message: error.message } };
    return {
      error: {
        code: "MongoDBError",
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
}
