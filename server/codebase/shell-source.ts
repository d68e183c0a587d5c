/**
 * A folder reached through a shell as an @codebase `FileSource` (types.ts): the part shared by
 * a Docker workspace (server/workspaces/codebase-source.ts, over docker exec) and an SSH host
 * (host-source.ts, over server/hosts). The caller gives one way to run `sh -c <script> sh <args>`.
 *
 * Listing is one exec (`find` pruning the vendored folders, `stat` for size and mtime, cut at
 * the index's cap). Reads are batched: one exec prints many files between random boundaries.
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
    const args = [...prune, "-type", "f", "-exec", "stat", "-c", "%s %Y %n", "{}", "+"];
    const r = await exec(LIST, [root, String(max), ...args], {
      timeoutMs: 120_000,
      maxOutputBytes: LIST_OUTPUT_BYTES,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (r.exitCode !== 0)
      throw new AppError(
        "CODEBASE_BUILD_FAILED",
        `Listing ${root} on ${where} failed: ${r.stderr.trim().slice(0, 300) || `exit ${r.exitCode}`}.`,
      );
    const lines = r.stdout.split("\n");
    if (r.truncated) lines.pop(); // the last line may be cut
    const entries: SourceEntry[] = [];
    for (const line of lines) {
      const m = /^(\d+) (\d+) \.\/(.+)$/.exec(line);
      if (!m) continue;
      const path = m[3]!;
      if (path.length > MAX_PATH_CHARS || path.split("/").some((s) => s === ".." || s === "." || s === "")) continue;
      entries.push({ path, size: Number(m[1]), mtimeMs: Number(m[2]) * 1000 });
    }
    order = entries.map((e) => e.path);
    position = new Map(order.map((p, i) => [p, i]));
    sizes = new Map(entries.map((e) => [e.path, e.size]));
    ahead.clear();
    aheadRules = await rootIgnoreRules(entries.map((e) => e.path));
    yield* entries;
  }

  /** The root's .gitignore and .aicockpitignore, read only to keep the read-ahead from fetching ignored files. */
  async function rootIgnoreRules(paths: string[]): Promise<IgnoreMatcher> {
    const names = [".gitignore", IGNORE_FILE].filter((n) => paths.includes(n));
    if (names.length === 0) return new IgnoreMatcher("");
    const got = await fetchBatch(names, 256 * 1024);
    return new IgnoreMatcher(names.map((n) => Buffer.from(got.get(n) ?? new Uint8Array()).toString("utf8")).join("\n"));
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

function orNames(names: string[]): string[] {
  return names.flatMap((n, i) => (i === 0 ? ["-name", n] : ["-o", "-name", n]));
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
