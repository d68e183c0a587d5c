/** Small folders for the @codebase engine's tests, and a source that records what was read. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";
import type { FileSource } from "../../../server/codebase/types";

export function tmpRepo(files: Record<string, string | Buffer>): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "aicockpit-codebase-"));
  writeFiles(root, files);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A `repoOf(files)` for one test file: each call makes a temp folder holding `files`, all removed when the file's tests end. */
export function tempRepos(): (files: Record<string, string | Buffer>) => string {
  const cleanups: Array<() => void> = [];
  after(() => cleanups.forEach((c) => c()));
  return (files) => {
    const r = tmpRepo(files);
    cleanups.push(r.cleanup);
    return r.root;
  };
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Wraps a source and remembers every path read through it. */
export function recording(source: FileSource): FileSource & { reads: Set<string> } {
  const reads = new Set<string>();
  return {
    description: source.description,
    reads,
    list: (o) => source.list(o),
    read: (path, max, signal) => {
      reads.add(path);
      return source.read(path, max, signal);
    },
  };
}

/** Wraps a source: every path listed, and every directory the index was asked about (and its answer). */
export function watching(source: FileSource, honourSkipDir = true) {
  const listed: string[] = [];
  const asked = new Map<string, boolean>();
  const wrapped: FileSource = {
    description: source.description,
    read: (p, max, s) => source.read(p, max, s),
    async *list(o = {}) {
      const { skipDir, ...rest } = o;
      const ask = (dir: string) => {
        const skip = skipDir?.(dir) ?? false;
        asked.set(dir, skip);
        return skip;
      };
      for await (const e of source.list(honourSkipDir ? { ...rest, skipDir: ask } : rest)) {
        listed.push(e.path);
        yield e;
      }
    },
  };
  return { source: wrapped, listed, asked };
}
