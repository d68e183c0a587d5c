/**
 * `FileSource` over a folder on this machine. Walks with `opendir` (no full directory
 * listing held in memory), never descends into pruned directories or ones the index says
 * to skip (`ListOptions.skipDir`, gitignored trees), and never follows a
 * symlink out of the root: a symlinked file is listed only when its real path is inside
 * the root, a symlinked directory is not entered at all (loops, and trees indexed twice).
 */
import { open, opendir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { DEFAULT_PRUNED_DIRS, type FileSource, type ListOptions, type SourceEntry } from "./types";

const MAX_PATH_CHARS = 1024;

export function createLocalFileSource(root: string): FileSource {
  let realRoot: Promise<string> | undefined;
  const rootReal = () => (realRoot ??= realpath(root));

  const inside = (real: string, base: string): boolean => {
    const rel = relative(base, real);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  };

  async function* list(options: ListOptions = {}): AsyncIterable<SourceEntry> {
    const pruned = options.prunedDirs ?? DEFAULT_PRUNED_DIRS;
    const max = options.maxFiles ?? Infinity;
    const base = await rootReal();
    let count = 0;
    const dirs: string[] = [""];
    while (dirs.length > 0) {
      options.signal?.throwIfAborted();
      const dirRel = dirs.pop()!;
      // Asked on the way in, not when pushed: the parent's files (its .gitignore) are consumed by now.
      if (dirRel !== "" && options.skipDir?.(dirRel)) continue;
      let dir;
      try {
        dir = await opendir(join(base, dirRel));
      } catch {
        continue; // vanished or unreadable: nothing to index there
      }
      for await (const d of dir) {
        const rel = dirRel === "" ? d.name : `${dirRel}/${d.name}`;
        if (rel.length > MAX_PATH_CHARS) continue;
        if (d.isDirectory()) {
          if (!pruned.has(d.name)) dirs.push(rel);
          continue;
        }
        const full = join(base, rel);
        if (d.isSymbolicLink()) {
          try {
            const real = await realpath(full);
            if (!inside(real, base)) continue;
          } catch {
            continue; // dangling
          }
        } else if (!d.isFile()) {
          continue;
        }
        let st;
        try {
          st = await stat(full);
        } catch {
          continue;
        }
        if (!st.isFile()) continue;
        yield { path: rel, size: st.size, mtimeMs: st.mtimeMs };
        if (++count >= max) return;
      }
    }
  }

  async function read(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
    const base = await rootReal();
    if (isAbsolute(path) || path.split(/[\\/]/).includes("..")) return undefined;
    const full = join(base, path.split("/").join(sep));
    let real: string;
    try {
      real = await realpath(full);
    } catch {
      return undefined;
    }
    if (!inside(real, base)) return undefined;
    let fh;
    try {
      fh = await open(real, "r");
    } catch {
      return undefined;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return undefined;
      const want = Math.min(st.size, maxBytes + 1);
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    } finally {
      await fh.close();
    }
  }

  return { description: `folder ${root}`, list, read };
}
