/**
 * The sync client's log, as Realm JS v12 configures it: `Realm.setLogLevel(level)` and
 * `Realm.setLogger((level, message) => …)` apply to every session in the process. Without a
 * logger, lines at or above the level go to the console (warn by default, to keep test and
 * server output quiet; Realm's own default is info).
 */

export const LOG_LEVELS = [
  "all",
  "trace",
  "debug",
  "detail",
  "info",
  "warn",
  "error",
  "fatal",
  "off",
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type Logger = (level: LogLevel, message: string) => void;

const settings: { level: LogLevel; logger: Logger | undefined } = {
  level: "warn",
  logger: undefined,
};

function rank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function setLogLevel(level: LogLevel): void {
  if (!LOG_LEVELS.includes(level)) {
    throw new TypeError(
      `Unknown log level '${String(level)}': use one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  settings.level = level;
}

export function setLogger(logger: Logger): void {
  settings.logger = logger;
}

/** Logs `message` if `level` passes the configured level (which is read on every call). */
export function log(level: Exclude<LogLevel, "all" | "off">, message: string): void {
  if (settings.level === "off" || rank(level) < rank(settings.level)) return;
  if (settings.logger) {
    settings.logger(level, message);
    return;
  }
  const line = `[${level.toUpperCase()}] Realm: ${message}`;
  if (rank(level) >= rank("warn")) console.error(line);
  else console.log(line);
}

/** Connection numbers count per app, as realm-core's log lines show them. */
const connectionCounters = new WeakMap<object, number>();

/**
 * A log for the next connection of `app` that prefixes each line with the connection and
 * session, as realm-core does.
 */
export function sessionLog(app: object, session = 1) {
  const connection = (connectionCounters.get(app) ?? 0) + 1;
  connectionCounters.set(app, connection);
  const prefix = `Connection[${connection}]: Session[${session}]: `;
  return (level: Exclude<LogLevel, "all" | "off">, message: string): void =>
    log(level, prefix + message);
}
