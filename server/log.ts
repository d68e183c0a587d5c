/**
 * Logging to stderr (stdout carries only the ready line). Every registered secret
 * (bearer token, API keys) is replaced by "***" before a line leaves the process.
 */
type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secrets = new Set<string>();
let threshold: Level = "info";

export function registerSecret(secret: string | undefined): void {
  // Very short strings would blank out ordinary words; keys and tokens are long.
  if (secret && secret.length >= 6) secrets.add(secret);
}

export function forgetSecret(secret: string | undefined): void {
  if (secret) secrets.delete(secret);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join("***");
  // Bearer tokens and OpenAI-style keys that were never registered (e.g. echoed by a proxy).
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]{8,}/g, "Bearer ***").replace(/\bsk-[A-Za-z0-9_-]{8,}/g, "sk-***");
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
