/**
 * Container aliases: logical names people use ("market predictor") → container names.
 * Two sources, the environment winning over the file:
 *   - `<dataDir>/gateway-aliases.json`: `{ "aliases": { "market predictor": "market-predictor" } }`,
 *     written with the seed below on first start when absent, so there is a file to edit;
 *   - `AICOCKPIT_GATEWAY_ALIASES`: the same object as JSON, `{"market predictor":"mp-prod"}`.
 * Names match case-insensitively with spaces, `-` and `_` treated alike.
 * The file is re-read when it changes (mtime), so edits apply without a restart.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile, writeJsonFileAtomic } from "../store/json-file";
import { log } from "../log";

export const ALIASES_FILE = "gateway-aliases.json";
export const SEED_ALIASES: Record<string, string> = { "market predictor": "market-predictor" };
export const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function aliasKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
}

function entries(raw: unknown, where: string): Map<string, string> {
  const out = new Map<string, string>();
  const obj = raw && typeof raw === "object" && "aliases" in raw ? (raw as { aliases: unknown }).aliases : raw;
  if (!obj || typeof obj !== "object" || Array.isArray(obj)) {
    if (raw !== undefined) log.warn(`gateway aliases in ${where} are not a JSON object; ignored`);
    return out;
  }
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (typeof v === "string" && CONTAINER_NAME.test(v) && k.trim() !== "") out.set(aliasKey(k), v);
    else log.warn(`gateway alias ${JSON.stringify(k)} in ${where} does not map to a container name; ignored`);
  }
  return out;
}

export class Aliases {
  private readonly file: string;
  private fromFile = new Map<string, string>();
  private fileMtime = -1;
  private readonly fromEnv: Map<string, string>;

  constructor(dataDir: string, envJson: string | undefined) {
    this.file = join(dataDir, ALIASES_FILE);
    let parsed: unknown;
    if (envJson !== undefined && envJson.trim() !== "") {
      try {
        parsed = JSON.parse(envJson) as unknown;
      } catch {
        log.warn("AICOCKPIT_GATEWAY_ALIASES is not valid JSON; ignored");
      }
    }
    this.fromEnv = entries(parsed, "AICOCKPIT_GATEWAY_ALIASES");
    try {
      statSync(this.file);
    } catch {
      try {
        writeJsonFileAtomic(this.file, { aliases: SEED_ALIASES });
      } catch (err) {
        log.warn(`cannot write ${this.file}: ${(err as Error).message}`);
      }
    }
  }

  private reload(): void {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      mtime = -1;
    }
    if (mtime === this.fileMtime) return;
    this.fileMtime = mtime;
    try {
      this.fromFile = mtime < 0 ? new Map() : entries(readJsonFile(this.file), this.file);
    } catch {
      log.warn(`${this.file} is not valid JSON; its aliases are ignored`);
      this.fromFile = new Map();
    }
  }

  /** The container an alias stands for, or undefined when the name is no alias. */
  resolve(name: string): string | undefined {
    this.reload();
    const k = aliasKey(name);
    return this.fromEnv.get(k) ?? this.fromFile.get(k);
  }

  list(): Record<string, string> {
    this.reload();
    return Object.fromEntries([...this.fromFile, ...this.fromEnv]);
  }
}
