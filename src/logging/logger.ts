import pino, { type Logger } from "pino";

export type { Logger };

/**
 * Field names whose values never reach a log line, wherever they sit (pino's redaction): a
 * backstop — no code path logs a body, a header or a card — so that a later `log.info(obj)`
 * cannot leak one either.
 */
const REDACTED = ["authorization", "key", "token", "secret", "card", "number", "cvc", "email", "body", "password", "headers"];

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LEVELS)[number];

export function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text || "info").toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(", ")}, not ${text}`);
  return level as LogLevel;
}

/** A logger; `destination` (tests) replaces stdout. */
export function createLogger(level: LogLevel, pretty: boolean, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "prepaid" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED.flatMap((name) => [name, `*.${name}`]), censor: "[redacted]" },
    // A person at a terminal reads colours and aligned fields; a log pipeline reads one JSON line each.
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * The process's logger. Silent until `configureLogging` runs (at `serve` and `worker`), so
 * library use and tests print nothing unless they ask to.
 */
export let log: Logger = createLogger("silent", false);

export function configureLogging(level: LogLevel, pretty = Boolean(process.stdout.isTTY)): Logger {
  log = createLogger(level, pretty);
  return log;
}
