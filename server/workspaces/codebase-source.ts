/**
 * A Docker workspace's folder as an @codebase `FileSource` (server/codebase/types.ts), over the
 * same exec path as the files API, so local engines and remote hosts over SSH work alike.
 *
 * Listing is one exec (`find` pruning the vendored folders, `stat` for size and mtime, cut at
 * the index's cap). Reads are batched: one exec prints many files between random boundaries.
 * The index reads file after file, so a read also fetches the next listed files (read-ahead),
 * except secret-looking ones, ones over the size cap and ones the root's ignore files exclude:
 * the index applies every rule itself; the read-ahead only avoids pulling what it will skip.
 * `find` does not follow symlinks, and a read refuses any path whose real path leaves the root.
 * Everything from the container is untrusted: paths, counts and bytes are bounded.
 */
import { randomBytes } from "node:crypto";
import { AppError } from "../errors";
import { IGNORE_FILE, IgnoreMatcher } from "../../common/ignore";
import { isSecretPath } from "../../common/secrets";
import type { FileSource, ListOptions, SourceEntry } from "../codebase/types";
import { DEFAULT_PRUNED_DIRS } from "../codebase/types";
import type { ExecRequest, ExecResult } from "../api/workspaces";
import { checkPath } from "./files";
import type { WorkspaceService } from "./service";

/** The part of WorkspaceService this source needs (its `exec`: resolves the workspace, maps Docker errors). */
export interface WorkspaceExec {
  exec(
    id: string,
    req: ExecRequest,
    signal?: AbortSignal,
    onChunk?: (kind: 1 | 2, chunk: Buffer) => void,
  ): Promise<ExecResult>;
}

const MAX_PATH_CHARS = 1024;
const DEFAULT_MAX_FILES = 50_000;
/** One read batch: at most this many files and (capped) bytes. */
const BATCH_FILES = 64;
const BATCH_BYTES = 4 * 1024 * 1024;
/** Read-ahead results nobody asked for are dropped after this long (a later read goes to the container). */
const AHEAD_TTL_MS = 5_000;
const AHEAD_MAX_ENTRIES = 4 * BATCH_FILES;

const RESOLVE_ROOT = `cd -- "$1" 2>/dev/null || { echo "not-a-folder"; exit 0; }; pwd -P`;
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

export interface WorkspaceSourceOptions {
  workspaces: WorkspaceExec;
  workspaceId: string;
  /** Real (symlink-free) absolute folder in the container: see resolveWorkspaceRoot. */
  root: string;
}

/** The folder's real path inside the running workspace, or a clear error. */
export async function resolveWorkspaceRoot(ws: WorkspaceExec, workspaceId: string, root: string): Promise<string> {
  const path = checkPath(root);
  const r = await ws.exec(workspaceId, { cmd: ["sh", "-c", RESOLVE_ROOT, "sh", path], cwd: "/", timeoutMs: 30_000 });
  const out = r.stdout.trim();
  if (r.exitCode !== 0 || out === "not-a-folder" || !out.startsWith("/"))
    throw new AppError("CODEBASE_ROOT_INVALID", `${path} is not a folder in workspace ${workspaceId}.`);
  if (out === "/")
    throw new AppError(
      "CODEBASE_ROOT_REFUSED",
      `Refusing to index the whole filesystem of workspace ${workspaceId}.`,
      "Index the project folder, e.g. /workspace.",
    );
  return out;
}

interface Cached {
  at: number;
  bytes: Uint8Array | undefined;
}

export function createWorkspaceFileSource(opts: WorkspaceSourceOptions): FileSource {
  const { workspaces, workspaceId, root } = opts;
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
    const r = await workspaces.exec(
      workspaceId,
      { cmd: ["sh", "-c", LIST, "sh", root, String(max), ...args], cwd: "/", timeoutMs: 120_000 },
      options.signal,
    );
    if (r.exitCode !== 0)
      throw new AppError(
        "CODEBASE_BUILD_FAILED",
        `Listing ${root} in workspace ${workspaceId} failed: ${r.stderr.trim().slice(0, 300) || `exit ${r.exitCode}`}.`,
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
    const r = await workspaces.exec(
      workspaceId,
      // maxBytes + 1: a longer file comes back one byte too long, so the index can tell (types.ts).
      { cmd: ["sh", "-c", READ, "sh", root, String(maxBytes + 1), boundary, ...paths], cwd: "/", timeoutMs: 120_000 },
      signal,
      (kind, chunk) => {
        if (kind !== 1 || size > cap) return;
        chunks.push(chunk);
        size += chunk.length;
      },
    );
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

  return { description: `workspace ${workspaceId}:${root}`, list, read };
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

/** The factory CodebaseService takes for `workspace_id` roots: the running workspace, its real folder, a source over it. */
export function workspaceSourceFactory(workspaces: () => Promise<WorkspaceService>) {
  return async (id: string, root: string) => {
    const svc = await workspaces();
    const { view } = await svc.running(id);
    const real = await resolveWorkspaceRoot(svc, view.id, root);
    return {
      source: createWorkspaceFileSource({ workspaces: svc, workspaceId: view.id, root: real }),
      workspaceId: view.id,
      root: real,
    };
  };
}
