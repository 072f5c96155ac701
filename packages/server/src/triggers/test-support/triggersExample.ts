import { fileURLToPath } from "node:url";

/**
 * The export the trigger tests run: `examples/cars-with-triggers`, with a database trigger of
 * each kind of use, a scheduled and an authentication trigger, an HTTPS endpoint and Google
 * sign-in.
 */
export const TRIGGERS_EXAMPLE_DIR = fileURLToPath(
  new URL("../../../../../examples/cars-with-triggers", import.meta.url),
);

export const TRIGGERS_EXAMPLE_WEBHOOK_SECRET = "dealer-webhook-secret";

/**
 * The secrets the export needs, as the operator gives them (an export never holds them); the
 * Google client secret it names is not among them: Atoll has no use for it.
 */
export const TRIGGERS_EXAMPLE_SECRETS: Readonly<Record<string, string>> = {
  ATOLL_SECRET_CARWEBHOOKSECRET: TRIGGERS_EXAMPLE_WEBHOOK_SECRET,
};

/**
 * A change event `recordCarEvents` recorded, without what differs between any two cars (the
 * event id and times, the car's id and owner), so two cars' events compare equal when their
 * changes were the same.
 */
export function comparableCarEvent(event: Record<string, unknown>): Record<string, unknown> {
  const { _id, clusterTime: _time, wallTime: _wall, documentKey: _key, ...rest } = event;
  const withoutKeys = (car: unknown) => {
    if (car === undefined) return undefined;
    const { _id: _car, ownerId: _owner, ...fields } = car as Record<string, unknown>;
    return fields;
  };
  return {
    ...rest,
    fullDocument: withoutKeys(rest["fullDocument"]),
    fullDocumentBeforeChange: withoutKeys(rest["fullDocumentBeforeChange"]),
  };
}
