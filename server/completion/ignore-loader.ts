/**
 * Reads `<workspaceRoot>/.aicockpitignore` for the engine, re-reading only when the file's
 * mtime changes (this runs on every completion request). A missing file means no rules.
 */
import { readFile, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { IGNORE_FILE, IgnoreMatcher } from "../../common/ignore";

interface Loaded {
  mtimeMs: number;
  text: string;
}

export class IgnoreLoader {
  private readonly cache = new Map<string, Loaded>();

  async rules(workspaceRoot: string): Promise<string> {
    const file = join(workspaceRoot, IGNORE_FILE);
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(file)).mtimeMs;
    } catch {
      this.cache.delete(file);
      return "";
    }
    const hit = this.cache.get(file);
    if (hit && hit.mtimeMs === mtimeMs) return hit.text;
    const text = await readFile(file, "utf8");
    this.cache.set(file, { mtimeMs, text });
    if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    return text;
  }
}

export function matcherFor(fileRules: string, extra: readonly string[] | undefined): IgnoreMatcher {
  return new IgnoreMatcher([fileRules, ...(extra ?? [])].join("\n"));
}

/** Workspace-relative path with `/` separators, or null when `filepath` is outside the root. */
export function relativeTo(workspaceRoot: string | undefined, filepath: string): string | null {
  if (!isAbsolute(filepath)) return filepath.replace(/\\/g, "/");
  if (workspaceRoot === undefined) return null;
  const rel = relative(workspaceRoot, filepath);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}
