import type { LogLevel } from "../config";

/**
 * Structured logs, one JSON object a line. Callers pass only fields that are safe to keep: never a
 * body, a header, a cookie, a token or a key.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stdout.write(line + "\n")): Logger {
  const emit = (lvl: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * An error as a log line may hold it. Drizzle's query errors put every bound parameter in their
 * message (password hashes, contacts' addresses): for those, the database's own message is kept.
 */
export function describeForLog(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 300);
  const cause = (error as { cause?: unknown }).cause;
  if (error.message.startsWith("Failed query") && cause instanceof Error) return `${cause.name}: ${cause.message}`.slice(0, 300);
  return `${error.name}: ${error.message}`.slice(0, 300);
}

/**
 * Where an error was thrown: its stack's frames only. The lines before the first frame repeat the
 * message, and a database error's message holds the query and its parameters (session hashes,
 * addresses, template HTML), so they never reach a log.
 */
export function stackFrames(error: unknown, frames = 5): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  return error.stack
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .slice(0, frames)
    .map((line) => line.trim().replace(/\?[^\s):]*/g, ""))
    .join(" | ");
}
