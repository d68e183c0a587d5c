/**
 * A folder reached through a shell as an @codebase `FileSource` (types.ts): the part shared by
 * a Docker workspace (server/workspaces/codebase-source.ts, over docker exec) and an SSH host
 * (host-source.ts, over server/hosts). The caller gives one way to run `sh -c <script> sh <args>`.
 *
 * Listing is one exec (`find` pruning the vendored folders, `stat` for size and mtime, cut at
 * the index's cap). When the index says which directories it will not enter (`skipDir`:
 * gitignored trees), it is two: the directories and ignore files first, asked about level by
 * level as the index reads each ignore file, then the files with the excluded trees pruned, so a
 * big gitignored `generated/` costs neither transfer nor room under the cap (see listSkipping).
 * Reads are batched: one exec prints many files between random boundaries.
 * The index reads file after file, so a read also fetches the next listed files (read-ahead),
 * except secret-looking ones, ones over the size cap and ones the root's ignore files exclude:
 * the index applies every rule itself; the read-ahead only avoids pulling what it will skip.
 * `find` does not follow symlinks, and a read refuses any path whose real path leaves the root.
 * Everything from the other side is untrusted: paths, counts and bytes are bounded.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../errors";
import { IGNORE_FILE, IgnoreMatcher } from "../../common/ignore";
import { isSecretPath } from "../../common/secrets";
import { GITIGNORE, isIgnoreFile } from "./rules";
import type { FileSource, ListOptions, SourceEntry } from "./types";
import { DEFAULT_PRUNED_DIRS } from "./types";

export interface ShellRun {
  /** ms for the whole command. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Stdout as it arrives (reads collect their bytes here, exactly). */
  onStdout?: (chunk: Buffer) => void;
  /** Stdout bytes worth keeping in the result (a hint: the listing needs many, reads none). */
  maxOutputBytes: number;
}

export interface ShellResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Stdout was cut. */
  truncated: boolean;
}

/** Runs `sh -c script sh ...args` with `/` as working folder where it lives (container, host). */
export type ShellExec = (script: string, args: string[], run: ShellRun) => Promise<ShellResult>;

const MAX_PATH_CHARS = 1024;
const DEFAULT_MAX_FILES = 50_000;
/** One read batch: at most this many files and (capped) bytes. */
const BATCH_FILES = 64;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Read-ahead results nobody asked for are dropped after this long (a later read goes to the container). */
const AHEAD_TTL_MS = 5_000;
const AHEAD_MAX_ENTRIES = 4 * BATCH_FILES;

const RESOLVE_ROOT = `cd -- "$1" 2>/dev/null || { echo "not-a-folder"; exit 0; }; pwd -P`;
/** Listing output kept: the index's cap of paths, each bounded. */
const LIST_OUTPUT_BYTES = 64 * 1024 * 1024;
const LIST = `cd -- "$1" || exit 3; n=$2; shift 2; find . "$@" 2>/dev/null | head -n "$n"`;
/** Ignore files are read at this size while listing (the index reads IGNORE_FILE_BYTES of them). */
const IGNORE_READ_BYTES = 256 * 1024;
/**
 * Excluded trees pruned by path in the file listing, at most: beyond, the listing walks them
 * (and this side drops what is below them), so the command line stays far from ARG_MAX.
 */
const MAX_PRUNED_PATHS = 2_000;
const MAX_PRUNE_ARG_CHARS = 256 * 1024;
/**
 * $1 root (real), $2 byte cap, $3 boundary, then paths. Each file: "\n<boundary> <index> <ok|no>\n" then its bytes.
 * `readlink -f` resolves every symlink on the way, so a path through a link leaving the root is refused.
 */
const READ = `root=$1; max=$2; b=$3; shift 3; i=0
for f; do
  r=$(readlink -f -- "$root/$f" 2>/dev/null)
  case "$r" in
    "$root"/*) if [ -f "$r" ] && [ ! -L "$root/$f" ]; then printf '\\n%s %s ok\\n' "$b" "$i"; head -c "$max" -- "$r"; else printf '\\n%s %s no\\n' "$b" "$i"; fi ;;
    *) printf '\\n%s %s no\\n' "$b" "$i" ;;
  esac
  i=$((i+1))
done`;

export interface ShellSourceOptions {
  exec: ShellExec;
  /** Real (symlink-free) absolute folder: see resolveShellRoot. */
  root: string;
  /** For messages: "workspace api:/workspace", "host box:/srv/app". */
  description: string;
  /** Who the folder belongs to, for messages ("workspace api", "host box"). */
  where: string;
}

/**
 * The folder's real path where `exec` runs, or a clear error. `path` is already checked to be
 * absolute and NUL-free; `/` is refused (the whole filesystem is never a codebase), and with
 * `refuseHome` the login user's home folder itself too (as for local folders: dotfiles, keys).
 */
export async function resolveShellRoot(
  exec: ShellExec,
  path: string,
  where: string,
  refuseHome = false,
): Promise<string> {
  const script = refuseHome ? `${RESOLVE_ROOT}; cd ~ 2>/dev/null && pwd -P` : RESOLVE_ROOT;
  const r = await exec(script, [path], { timeoutMs: 30_000, maxOutputBytes: 16_384 });
  const lines = r.stdout.trim().split("\n");
  const [out = "", home] = lines;
  // More lines than asked for: a folder name with a newline, never indexed.
  if (r.exitCode !== 0 || out === "not-a-folder" || !out.startsWith("/") || lines.length > (refuseHome ? 2 : 1))
    throw new AppError("CODEBASE_ROOT_INVALID", `${path} is not a folder on ${where}.`);
  if (out === "/" || out === home)
    throw new AppError(
      "CODEBASE_ROOT_REFUSED",
      `Refusing to index ${out === "/" ? "the whole filesystem" : "the home folder"} of ${where}.`,
      "Index the project folder instead.",
    );
  return out;
}

interface Cached {
  at: number;
  bytes: Uint8Array | undefined;
}

export function createShellFileSource(opts: ShellSourceOptions): FileSource {
  const { exec, root, where } = opts;
  /** Listing order and sizes, for the read-ahead. */
  let order: string[] = [];
  let position = new Map<string, number>();
  let sizes = new Map<string, number>();
  let aheadRules = new IgnoreMatcher("");
  const ahead = new Map<string, Cached>();
  const inflight = new Map<string, Promise<Map<string, Uint8Array | undefined>>>();

  async function* list(options: ListOptions = {}): AsyncIterable<SourceEntry> {
    const pruned = [...(options.prunedDirs ?? DEFAULT_PRUNED_DIRS)].filter((d) => /^[^/\0]+$/.test(d));
    const max = Math.max(1, Math.min(options.maxFiles ?? DEFAULT_MAX_FILES, 1_000_000));
    const prune = pruned.length > 0 ? ["(", "-type", "d", "(", ...orNames(pruned), ")", ")", "-prune", "-o"] : [];
    ahead.clear();
    if (options.skipDir) {
      yield* listSkipping(options.skipDir, prune, max, options.signal);
      return;
    }
    const { lines } = await find([...prune, "-type", "f", ...STAT], max, options.signal);
    const entries = lines.map(fileEntry).filter((e) => e !== undefined);
    remember(entries);
    aheadRules = await primeIgnoreFiles(entries.map((e) => e.path));
    yield* entries;
  }

  /**
   * The listing when the index decides which directories to enter. Exec 1 lists the directories
   * and the ignore files; they are yielded root first, level by level, so the index has read
   * the ignore files of a directory's ancestors (and its own parent's) before it is asked about
   * it, as on a local walk; nothing below an excluded directory is asked about or yielded.
   * Exec 2 lists the files with the excluded (top-most) directories pruned.
   */
  async function* listSkipping(
    skipDir: (dirRel: string) => boolean,
    prune: string[],
    max: number,
    signal?: AbortSignal,
  ): AsyncIterable<SourceEntry> {
    const ignoreFiles = ["(", "-name", GITIGNORE, "-o", "-path", `./${IGNORE_FILE}`, ")"];
    const tree = await find(
      [...prune, "-type", "d", "-exec", "printf", "d %s\\n", "{}", "+", "-o", "-type", "f", ...ignoreFiles, ...STAT],
      max,
      signal,
    );
    const dirs = new Set<string>();
    const ignoresIn = new Map<string, SourceEntry[]>();
    const addDir = (dir: string) => {
      for (let d = dir; d !== "" && !dirs.has(d); d = parentOf(d)) dirs.add(d);
    };
    // A name with a newline splits into lines that parse as other paths (or not at all): such a
    // directory is never asked about nor pruned by its own name; the index filters below it anyway.
    for (const line of tree.lines) {
      if (line.startsWith("d ./")) {
        const dir = line.slice(4);
        if (validPath(dir)) addDir(dir);
        continue;
      }
      const e = fileEntry(line);
      if (!e || !isIgnoreFile(e.path)) continue;
      const dir = parentOf(e.path);
      addDir(dir);
      ignoresIn.set(dir, [...(ignoresIn.get(dir) ?? []), e]);
    }
    // Root first, then by depth: the order the index reads them in, for the read-ahead.
    const levels = byDepth(dirs);
    const ignoreOrder = [...(ignoresIn.get("") ?? []), ...levels.flat().flatMap((d) => ignoresIn.get(d) ?? [])];
    remember(ignoreOrder);
    aheadRules = await primeIgnoreFiles(ignoreOrder.map((e) => e.path));

    const yielded: SourceEntry[] = [];
    /** Excluded directories and every directory below one. */
    const gone = new Set<string>();
    const excluded: string[] = [];
    for (const e of ignoresIn.get("") ?? []) {
      yielded.push(e);
      yield e;
      if (yielded.length >= max) return;
    }
    for (const level of levels)
      for (const dir of level) {
        if (gone.has(parentOf(dir))) {
          gone.add(dir);
        } else if (skipDir(dir)) {
          gone.add(dir);
          excluded.push(dir);
        } else {
          for (const e of ignoresIn.get(dir) ?? []) {
            yielded.push(e);
            yield e; // the index reads it before asking about this directory's subdirectories
            if (yielded.length >= max) return;
          }
        }
      }

    // A complete first listing found every ignore file: the second leaves them out and fills
    // the rest of the cap, so a cut listing still ends at exactly `max` entries (IndexStats.listingCut).
    const complete = !tree.cut;
    const patterns = excluded.map((d) => `./${d.replace(/[*?[\\]/g, "\\$&")}`);
    const byPath =
      patterns.length > 0 &&
      patterns.length <= MAX_PRUNED_PATHS &&
      patterns.reduce((n, p) => n + p.length, 0) <= MAX_PRUNE_ARG_CHARS
        ? ["(", "-type", "d", "(", ...orPaths(patterns), ")", ")", "-prune", "-o"]
        : [];
    const skipIgnoreFiles = complete ? ["!", ...ignoreFiles] : [];
    const files = await find(
      [...prune, ...byPath, "-type", "f", ...skipIgnoreFiles, ...STAT],
      complete ? max - yielded.length : max,
      signal,
    );
    const seen = new Set(yielded.map((e) => e.path));
    const below = (path: string) => {
      for (let d = parentOf(path); d !== ""; d = parentOf(d)) if (gone.has(d)) return true;
      return false;
    };
    const entries: SourceEntry[] = [];
    for (const line of files.lines) {
      const e = fileEntry(line);
      // Below an excluded directory: only when there were too many to prune (or it appeared since).
      if (!e || seen.has(e.path) || below(e.path)) continue;
      seen.add(e.path);
      entries.push(e);
      if (yielded.length + entries.length >= max) break;
    }
    remember([...yielded, ...entries]);
    ahead.clear();
    yield* entries;
  }

  /** Runs `find . <args>` in the root, cut at `cap` lines; the lines (the last one dropped when cut mid-line). */
  async function find(args: string[], cap: number, signal?: AbortSignal): Promise<{ lines: string[]; cut: boolean }> {
    const r = await exec(LIST, [root, String(cap), ...args], {
      timeoutMs: 120_000,
      maxOutputBytes: LIST_OUTPUT_BYTES,
      ...(signal ? { signal } : {}),
    });
    if (r.exitCode !== 0)
      throw new AppError(
        "CODEBASE_BUILD_FAILED",
        `Listing ${root} on ${where} failed: ${r.stderr.trim().slice(0, 300) || `exit ${r.exitCode}`}.`,
      );
    const lines = r.stdout.split("\n");
    if (r.truncated)
      lines.pop(); // the last line may be cut
    else if (lines.at(-1) === "") lines.pop();
    return { lines, cut: r.truncated || lines.length >= cap };
  }

  /** The listing order and sizes, for the read-ahead. */
  function remember(entries: readonly SourceEntry[]) {
    order = entries.map((e) => e.path);
    position = new Map(order.map((p, i) => [p, i]));
    sizes = new Map(entries.map((e) => [e.path, e.size]));
  }

  /**
   * Fetches the listed ignore files (root first, one batch) into the read-ahead, as the index
   * reads each one as soon as it is listed; returns the root's rules, which keep the read-ahead
   * from fetching files the index will skip.
   */
  async function primeIgnoreFiles(paths: readonly string[]): Promise<IgnoreMatcher> {
    const batch = paths
      .filter(isIgnoreFile)
      .sort((a, b) => Number(a.includes("/")) - Number(b.includes("/")))
      .slice(0, BATCH_FILES);
    if (batch.length === 0) return new IgnoreMatcher("");
    const got = await fetchBatch(batch, IGNORE_READ_BYTES);
    const at = Date.now();
    for (const p of batch) if (got.has(p)) ahead.set(p, { at, bytes: got.get(p) });
    const rootTexts = [GITIGNORE, IGNORE_FILE].map((n) => Buffer.from(got.get(n) ?? new Uint8Array()).toString("utf8"));
    return new IgnoreMatcher(rootTexts.join("\n"));
  }

  async function fetchBatch(paths: string[], maxBytes: number, signal?: AbortSignal) {
    const boundary = randomBytes(16).toString("hex");
    const chunks: Buffer[] = [];
    let size = 0;
    const cap = paths.length * (maxBytes + 64) + 1024;
    // maxBytes + 1: a longer file comes back one byte too long, so the index can tell (types.ts).
    const r = await exec(READ, [root, String(maxBytes + 1), boundary, ...paths], {
      timeoutMs: 120_000,
      maxOutputBytes: 0,
      ...(signal ? { signal } : {}),
      onStdout: (chunk) => {
        if (size > cap) return;
        chunks.push(chunk);
        size += chunk.length;
      },
    });
    const out = new Map<string, Uint8Array | undefined>();
    if (r.exitCode !== 0 || size > cap) return out;
    return splitBatch(Buffer.concat(chunks), boundary, paths);
  }

  /** `path` plus the listed files after it that the index will likely ask for next. */
  function batchFor(path: string, maxBytes: number): string[] {
    const batch = [path];
    let bytes = Math.min(sizes.get(path) ?? maxBytes, maxBytes);
    const start = position.get(path);
    if (start === undefined) return batch;
    for (let i = start + 1; i < order.length && batch.length < BATCH_FILES; i++) {
      const p = order[i]!;
      const s = sizes.get(p) ?? 0;
      if (s > maxBytes || isSecretPath(p) || aheadRules.ignores(p) || ahead.has(p) || inflight.has(p)) continue;
      if (bytes + s > BATCH_BYTES) break;
      bytes += s;
      batch.push(p);
    }
    return batch;
  }

  async function read(path: string, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    if (path.length > MAX_PATH_CHARS || path.startsWith("/") || path.split("/").includes("..")) return undefined;
    const now = Date.now();
    const hit = ahead.get(path);
    ahead.delete(path);
    if (hit && now - hit.at < AHEAD_TTL_MS) return hit.bytes;
    const pending = inflight.get(path);
    if (pending) return (await pending).get(path);
    const batch = batchFor(path, maxBytes);
    const p = fetchBatch(batch, maxBytes, signal);
    for (const b of batch) inflight.set(b, p);
    try {
      const got = await p;
      const at = Date.now();
      for (const b of batch) if (b !== path) ahead.set(b, { at, bytes: got.get(b) });
      while (ahead.size > AHEAD_MAX_ENTRIES) ahead.delete(ahead.keys().next().value!);
      return got.get(path);
    } finally {
      for (const b of batch) if (inflight.get(b) === p) inflight.delete(b);
    }
  }

  return { description: opts.description, list, read };
}

/** `find` arguments: each file's "<size> <mtime s> ./<path>" line. */
const STAT = ["-exec", "stat", "-c", "%s %Y %n", "{}", "+"];

function orNames(names: string[]): string[] {
  return names.flatMap((n, i) => (i === 0 ? ["-name", n] : ["-o", "-name", n]));
}

function orPaths(patterns: string[]): string[] {
  return patterns.flatMap((p, i) => (i === 0 ? ["-path", p] : ["-o", "-path", p]));
}

/** A STAT line as an entry, or undefined (malformed, too long, or a path with `.`/`..`/empty segments). */
function fileEntry(line: string): SourceEntry | undefined {
  const m = /^(\d+) (\d+) \.\/(.+)$/.exec(line);
  if (!m || !validPath(m[3]!)) return undefined;
  return { path: m[3]!, size: Number(m[1]), mtimeMs: Number(m[2]) * 1000 };
}

function validPath(path: string): boolean {
  return path.length <= MAX_PATH_CHARS && !path.split("/").some((s) => s === ".." || s === "." || s === "");
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/** Directories grouped by depth (1 segment first), each level sorted. */
function byDepth(dirs: Iterable<string>): string[][] {
  const levels: string[][] = [];
  for (const d of dirs) (levels[d.split("/").length - 1] ??= []).push(d);
  return levels.filter((l) => l !== undefined).map((l) => l.sort());
}

/** Splits READ's output: "\n<boundary> <i> ok\n<bytes>" per file, in order. */
export function splitBatch(out: Buffer, boundary: string, paths: string[]): Map<string, Uint8Array | undefined> {
  const result = new Map<string, Uint8Array | undefined>();
  const marker = Buffer.from(`\n${boundary} `);
  let at = out.indexOf(marker);
  while (at !== -1) {
    const headEnd = out.indexOf(0x0a, at + marker.length);
    if (headEnd === -1) break;
    const [idx, verdict] = out
      .subarray(at + marker.length, headEnd)
      .toString("latin1")
      .split(" ");
    const next = out.indexOf(marker, headEnd + 1);
    const path = paths[Number(idx)];
    if (path !== undefined && !result.has(path))
      result.set(
        path,
        verdict === "ok" ? new Uint8Array(out.subarray(headEnd + 1, next === -1 ? out.length : next)) : undefined,
      );
    at = next;
  }
  return result;
}
