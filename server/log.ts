/**
 * Logging to stderr (stdout carries only the ready line). Every registered secret
 * (bearer token, API keys) is replaced by "***" before a line leaves the process.
 */
import { Redactor } from "../common/redact";

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// One process-wide redactor: every module that learns a secret registers it here.
const secrets = new Redactor();
let threshold: Level = "info";

export function registerSecret(secret: string | undefined): void {
  secrets.add(secret);
}

export function forgetSecret(secret: string | undefined): void {
  secrets.remove(secret);
}

export function redact(text: string): string {
  return secrets.redact(text);
}

export function setLogLevel(level: Level): void {
  threshold = level;
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const extra = fields && Object.keys(fields).length > 0 ? " " + JSON.stringify(fields) : "";
  process.stderr.write(redact(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra}`) + "\n");
}

export const log = {
  debug: (m: string, f?: Record<string, unknown>) => write("debug", m, f),
  info: (m: string, f?: Record<string, unknown>) => write("info", m, f),
  warn: (m: string, f?: Record<string, unknown>) => write("warn", m, f),
  error: (m: string, f?: Record<string, unknown>) => write("error", m, f),
};
