/**
 * Reads a workspace file for completion context, or says no: only regular files inside the
 * workspace root (after resolving symlinks), never secret-looking or ignored ones, at most
 * 200 KB, no binary. Used for the definitions of imported names (definitions.ts).
 *
 * Answers (misses too) are kept for a few seconds: a burst of keystrokes asks for the same
 * files, and the context sources must fit their 50 ms time box even on a loaded machine.
 * Open editors send their current text as snippets, which take precedence over the disk.
 */
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, sep } from "node:path";
import { isSecretPath } from "../../common/secrets";
import type { IgnoreMatcher } from "../../common/ignore";

const MAX_BYTES = 200_000;

function inside(root: string, path: string): string | null {
  const rel = relative(root, path);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}

const TTL_MS = 3_000;
const MAX_ENTRIES = 200;

export class WorkspaceFiles {
  private readonly cache = new Map<string, { at: number; text: Promise<string | undefined> }>();

  /** A reader bound to one request's root and ignore rules (the cache is keyed by both path and root). */
  reader(workspaceRoot: string | undefined, ignore: IgnoreMatcher): (path: string) => Promise<string | undefined> {
    return (path) => {
      if (workspaceRoot === undefined || !isAbsolute(path) || isSecretPath(path)) return Promise.resolve(undefined);
      const rel = inside(workspaceRoot, path);
      if (rel === null || ignore.ignores(rel)) return Promise.resolve(undefined);
      const key = `${workspaceRoot}\0${path}`;
      const now = Date.now();
      const hit = this.cache.get(key);
      if (hit && now - hit.at < TTL_MS) return hit.text;
      const text = readInside(workspaceRoot, path);
      this.cache.delete(key);
      this.cache.set(key, { at: now, text });
      if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
      return text;
    };
  }
}

/** Names of the regular files in a workspace directory (a Go package, a Java package), or undefined. */
export type DirectoryLister = (dir: string) => Promise<string[] | undefined>;

const MAX_LISTED = 200;

/** Lists `dir` under the same rules as the reader: inside the root, not ignored; secret-looking names left out. */
export function directoryLister(workspaceRoot: string | undefined, ignore: IgnoreMatcher): DirectoryLister {
  return async (dir) => {
    if (workspaceRoot === undefined || !isAbsolute(dir)) return undefined;
    const rel = inside(workspaceRoot, dir);
    if (rel === null || ignore.ignores(`${rel}/`)) return undefined;
    try {
      const real = await realpath(dir);
      if (inside(await realpath(workspaceRoot), real) === null) return undefined;
      const entries = await readdir(real, { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !isSecretPath(e.name) && !ignore.ignores(`${rel}/${e.name}`))
        .map((e) => e.name)
        .sort()
        .slice(0, MAX_LISTED);
    } catch {
      return undefined;
    }
  };
}

async function readInside(workspaceRoot: string, path: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    const realRoot = await realpath(workspaceRoot);
    if (inside(realRoot, real) === null) return undefined;
    const st = await stat(real);
    if (!st.isFile() || st.size > MAX_BYTES) return undefined;
    const bytes = await readFile(real);
    if (bytes.includes(0)) return undefined;
    return bytes.toString("utf8");
  } catch {
    return undefined;
  }
}
