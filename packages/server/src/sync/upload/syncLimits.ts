/**
 * The bounds on what one uploaded changeset may ask of the server. Each has a default an
 * operator may change (server option `sync.limits`, `atoll serve --sync-limit name=value`);
 * an upload beyond one is refused with
 * `limits_exceeded` (104) before it reaches the rules or storage. The frame size itself is
 * bounded by `maxMessageBytes` (the protocol's 16 MiB by default) when the frame is decoded.
 */
export interface SyncLimits {
  /** Instructions in one changeset. */
  readonly maxChangesetInstructions: number;
  /** Instructions on one object in one changeset. */
  readonly maxObjectInstructions: number;
  /** Elements of a list or set an upload leaves behind. */
  readonly maxListLength: number;
  /** Elements of an instruction's path (property, index, key, …). */
  readonly maxPathDepth: number;
  /** Characters of a property name or dictionary key in a path. */
  readonly maxNameLength: number;
  /**
   * Steps of merging an upload's list positions with the list changes made concurrently
   * (after its base, by others): one step per pair of an uploaded and a concurrent change to
   * the same list.
   */
  readonly maxListTransformSteps: number;
}

export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  maxChangesetInstructions: 1_000_000,
  maxObjectInstructions: 100_000,
  maxListLength: 100_000,
  maxPathDepth: 16,
  maxNameLength: 255,
  maxListTransformSteps: 50_000_000,
};

/** The operator's limits over the defaults. */
export function syncLimits(overrides: Partial<SyncLimits> = {}): SyncLimits {
  return { ...DEFAULT_SYNC_LIMITS, ...overrides };
}

/**
 * One `name=value` of `--sync-limit` added to `previous`; throws a message naming the
 * limits when the name is unknown or the value is not a positive integer.
 */
export function parseSyncLimit(
  text: string,
  previous: Partial<SyncLimits> = {},
): Partial<SyncLimits> {
  const [name = "", value = ""] = text.split("=", 2);
  if (!Object.hasOwn(DEFAULT_SYNC_LIMITS, name))
    throw new Error(
      `unknown sync limit "${name}"; the limits are ${Object.keys(DEFAULT_SYNC_LIMITS).join(", ")}`,
    );
  const number = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(number) || number < 1)
    throw new Error(`sync limit ${name} must be a positive integer, not "${value}"`);
  return { ...previous, [name]: number };
}
