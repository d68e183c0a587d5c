/**
 * The @codebase indexes the backend keeps: one per root (a local folder, a folder inside a
 * Docker workspace, or a folder on a registered SSH host), keyed so the same root always gets the same id. Builds run in the
 * background and report progress; queries wait (bounded) for a first build; updates come from
 * the client's file watcher or a rescan. Bounded in number (least recently used idle index
 * evicted) and dropped when idle. The engine itself (tags, repository map, BM25) is
 * server/codebase/index.ts; this file only manages its instances.
 */
import { createHash } from "node:crypto";
import { isAbsolute, posix, relative, sep } from "node:path";
import type {
  ChatCodebase,
  CodebaseChangesRequest,
  CodebaseChangesResponse,
  CodebaseIndexRequest,
  CodebaseIndexView,
  CodebaseProgressEvent,
  CodebaseQueryRequest,
  CodebaseQueryResponse,
  CodebaseSource,
  CodebaseStatus,
} from "../api/codebase";
import { CODEBASE_LIMITS } from "../api/codebase";
import type { ApiError } from "../api/errors";
import { AppError, toAppError } from "../errors";
import { log } from "../log";
import type { CodebaseIndex, CreateCodebaseIndex, CreateLocalFileSource, FileSource } from "./types";
import { NO_METRICS, type CodebaseMetrics, type SourceKind } from "./service-metrics";
import { resolveLocalRoot } from "./roots";

/** A workspace's folder as a FileSource: resolves the workspace and the folder (symlinks included) or throws. */
export type WorkspaceSourceFactory = (
  workspaceId: string,
  root: string,
) => Promise<{ source: FileSource; workspaceId: string; root: string }>;

/** A folder on a registered SSH host as a FileSource: checks the host and the folder or throws. */
export type HostSourceFactory = (
  hostId: string,
  root: string,
) => Promise<{ source: FileSource; hostId: string; root: string }>;

export interface CodebaseServiceDeps {
  createIndex: CreateCodebaseIndex;
  localSource: CreateLocalFileSource;
  workspaceSource?: WorkspaceSourceFactory;
  hostSource?: HostSourceFactory;
  metrics?: CodebaseMetrics;
  limits?: Partial<Limits>;
  /** Home folder that may not be indexed (default os.homedir()). */
  home?: string;
}

type Limits = Record<keyof typeof CODEBASE_LIMITS, number>;

/** A second ensure within this time does not rescan again (clients call it on every chat). */
const RESCAN_AFTER_MS = 10_000;
const DEFAULT_WORKSPACE_ROOT = "/workspace";

interface Entry {
  id: string;
  kind: SourceKind;
  root: string;
  workspaceId: string | null;
  hostId: string | null;
  index: CodebaseIndex;
  status: CodebaseStatus;
  filesIndexed: number;
  filesTotal: number;
  truncated: boolean;
  updatedAt: number | null;
  error?: ApiError;
  lastUsed: number;
  building: Promise<void> | null;
  abort: AbortController;
  /** Wakes progress followers. */
  listeners: Set<() => void>;
}

export interface Retrieved {
  response: CodebaseQueryResponse;
  view: CodebaseIndexView;
}

export class CodebaseService {
  private readonly entries = new Map<string, Entry>();
  private readonly limits: Limits;
  private readonly metrics: CodebaseMetrics;
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: CodebaseServiceDeps) {
    this.limits = { ...CODEBASE_LIMITS, ...deps.limits };
    this.metrics = deps.metrics ?? NO_METRICS;
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, this.limits.idleMs)).unref();
  }

  views(): CodebaseIndexView[] {
    return [...this.entries.values()].map((e) => this.viewOf(e));
  }

  /** Ensures an index for this root and (re)starts its build; the same root always gets the same id. */
  async ensure(req: CodebaseIndexRequest): Promise<CodebaseIndexView> {
    const target = await this.resolve(req);
    const id = indexIdFor(target.key);
    const existing = this.entries.get(id);
    if (existing) {
      existing.lastUsed = Date.now();
      const stale = existing.updatedAt === null || Date.now() - existing.updatedAt > RESCAN_AFTER_MS;
      if (!existing.building && (existing.status === "failed" || stale)) this.startBuild(existing);
      return this.viewOf(existing);
    }
    this.makeRoom();
    const index = this.deps.createIndex({
      source: target.source,
      maxFiles: this.limits.maxFiles,
      maxFileBytes: this.limits.maxFileBytes,
      ...(req.ignore_patterns ? { extraIgnore: req.ignore_patterns } : {}),
    });
    const entry: Entry = {
      id,
      kind: target.kind,
      root: target.root,
      workspaceId: target.workspaceId,
      hostId: target.hostId,
      index,
      status: "building",
      filesIndexed: 0,
      filesTotal: 0,
      truncated: false,
      updatedAt: null,
      lastUsed: Date.now(),
      building: null,
      abort: new AbortController(),
      listeners: new Set(),
    };
    this.entries.set(id, entry);
    this.startBuild(entry);
    log.info(`codebase: indexing ${target.source.description} as ${id}`);
    return this.viewOf(entry);
  }

  view(id: string): CodebaseIndexView {
    const e = this.get(id);
    return this.viewOf(e);
  }

  remove(id: string): void {
    const e = this.get(id);
    this.drop(e, "deleted");
  }

  /** Progress events until the build in progress (if any) has finished. */
  async *progress(id: string, signal: AbortSignal): AsyncGenerator<CodebaseProgressEvent> {
    const e = this.get(id);
    let last = "";
    while (e.building && !signal.aborted) {
      const view = this.viewOf(e);
      const key = `${view.status}:${view.files_indexed}:${view.files_total}`;
      if (key !== last) {
        last = key;
        yield { type: "progress", index: view };
      }
      // Woken by the build's progress, at most ~10 times a second so a fast build is not a flood.
      await new Promise<void>((resolve) => {
        const wake = () => {
          e.listeners.delete(wake);
          signal.removeEventListener("abort", wake);
          setTimeout(resolve, 100);
        };
        e.listeners.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    }
    if (!signal.aborted) yield { type: "end", index: this.viewOf(e) };
  }

  async changes(req: CodebaseChangesRequest, signal?: AbortSignal): Promise<CodebaseChangesResponse> {
    const e = this.get(req.index_id);
    e.lastUsed = Date.now();
    const changed = uniq((req.changed ?? []).map((p) => this.relativeIn(e, p)));
    const deleted = uniq((req.deleted ?? []).map((p) => this.relativeIn(e, p)));
    if (deleted.length > 0) e.index.remove(deleted);
    if (changed.length > 0) await e.index.update(changed, signal);
    if (e.status === "ready") {
      e.filesIndexed = e.index.stats().files;
      e.filesTotal = Math.max(e.filesTotal, e.filesIndexed);
      e.updatedAt = Date.now();
    }
    return { index: this.viewOf(e), updated: changed.length, removed: deleted.length };
  }

  async query(req: CodebaseQueryRequest, signal: AbortSignal): Promise<CodebaseQueryResponse> {
    const e = this.get(req.index_id);
    return this.retrieve(e, req.question, req.budget_tokens ?? this.limits.defaultQueryBudgetTokens, signal, "route");
  }

  /** For the chat: the index named (or ensured for the root named) and the context for `question`. */
  async forChat(
    cb: ChatCodebase,
    question: string,
    budgetTokens: number,
    mentionedPaths: readonly string[],
    signal: AbortSignal,
  ): Promise<Retrieved> {
    const view =
      cb.index_id !== undefined
        ? this.view(cb.index_id)
        : await this.ensure({
            ...(cb.root !== undefined ? { root: cb.root } : {}),
            ...(cb.workspace_id !== undefined ? { workspace_id: cb.workspace_id } : {}),
            ...(cb.host_id !== undefined ? { host_id: cb.host_id } : {}),
          });
    const e = this.get(view.index_id);
    const response = await this.retrieve(e, question, budgetTokens, signal, "chat", mentionedPaths);
    return { response, view: this.viewOf(e) };
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const e of [...this.entries.values()]) this.drop(e, "deleted");
  }

  // ---------------------------------------------------------------------------------------

  private async retrieve(
    e: Entry,
    question: string,
    budgetTokens: number,
    signal: AbortSignal,
    via: "route" | "chat",
    mentionedPaths: readonly string[] = [],
  ): Promise<CodebaseQueryResponse> {
    e.lastUsed = Date.now();
    if (e.building && e.status === "building") await waitFor(e.building, this.limits.queryWaitMs, signal);
    signal.throwIfAborted();
    if (e.status === "failed")
      throw new AppError(
        "CODEBASE_BUILD_FAILED",
        `The codebase index of ${e.root} could not be built: ${e.error?.message ?? "unknown error"}`,
        "Fix the cause, then index again (POST /api/codebase/index).",
      );
    const started = performance.now();
    const mentioned = mentionedPaths.flatMap((p) => {
      try {
        return [this.relativeIn(e, p)];
      } catch {
        return []; // a file outside this root: nothing to rank up
      }
    });
    const result = await e.index.query(question, {
      budgetTokens,
      signal,
      ...(mentioned.length > 0 ? { mentionedPaths: mentioned } : {}),
    });
    this.metrics.query(via, (performance.now() - started) / 1000);
    const files: CodebaseSource[] = result.files.map((f) => ({
      path: f.path,
      start_line: f.startLine,
      end_line: f.endLine,
      reason: f.reason,
    }));
    return { index_id: e.id, context: result.context, files, partial: e.status === "building" };
  }

  private startBuild(e: Entry): void {
    if (e.building) return;
    const first = e.updatedAt === null;
    if (e.status === "failed") {
      e.status = "building";
      delete e.error;
    }
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const notify = () => {
      for (const l of [...e.listeners]) l();
    };
    e.building = (async () => {
      try {
        const stats = await e.index.build({
          signal: e.abort.signal,
          onProgress: (p) => {
            // A rescan of a ready index keeps showing its counts; only the first build reports live.
            if (!first) return;
            if (p.phase === "indexing") {
              e.filesIndexed = p.done;
              e.filesTotal = p.total ?? e.filesTotal;
            }
            notify();
          },
        });
        e.status = "ready";
        e.filesIndexed = stats.files;
        e.filesTotal = stats.files;
        e.truncated = stats.skipped.overflow > 0 || stats.listingCut;
        e.updatedAt = Date.now();
        this.metrics.build(e.kind, "ok", seconds());
        log.info(`codebase: ${e.id} ready, ${stats.files} files in ${stats.buildMs} ms`);
      } catch (err) {
        if (e.abort.signal.aborted) {
          this.metrics.build(e.kind, "cancelled", seconds());
          return;
        }
        this.metrics.build(e.kind, "failed", seconds());
        const ae = toAppError(err);
        log.warn(`codebase: building ${e.id} failed: ${ae.code} ${ae.message}`);
        // A failed rescan keeps the index it had; only a first build turns the index `failed`.
        if (first) {
          e.status = "failed";
          e.error = ae.toApiError();
        }
      } finally {
        e.building = null;
        notify();
      }
    })();
  }

  private async resolve(req: CodebaseIndexRequest): Promise<{
    key: string;
    kind: SourceKind;
    root: string;
    workspaceId: string | null;
    hostId: string | null;
    source: FileSource;
  }> {
    if (req.host_id !== undefined) {
      if (!this.deps.hostSource)
        throw new AppError("CODEBASE_ROOT_REFUSED", "Folders on SSH hosts cannot be indexed by this backend.");
      const h = await this.deps.hostSource(req.host_id, req.root ?? "");
      return {
        key: `host\0${h.hostId}\0${h.root}`,
        kind: "host",
        root: h.root,
        workspaceId: null,
        hostId: h.hostId,
        source: h.source,
      };
    }
    if (req.workspace_id !== undefined) {
      if (!this.deps.workspaceSource)
        throw new AppError("CODEBASE_ROOT_REFUSED", "Docker workspaces cannot be indexed by this backend.");
      const ws = await this.deps.workspaceSource(req.workspace_id, req.root ?? DEFAULT_WORKSPACE_ROOT);
      return {
        key: `workspace\0${ws.workspaceId}\0${ws.root}`,
        kind: "workspace",
        root: ws.root,
        workspaceId: ws.workspaceId,
        hostId: null,
        source: ws.source,
      };
    }
    const root = await resolveLocalRoot(req.root ?? "", this.deps.home);
    return {
      key: `local\0${root}`,
      kind: "local",
      root,
      workspaceId: null,
      hostId: null,
      source: this.deps.localSource(root),
    };
  }

  private get(id: string): Entry {
    const e = this.entries.get(id);
    if (!e)
      throw new AppError(
        "CODEBASE_NOT_FOUND",
        `No codebase index ${id}: it was never built or was dropped after being idle.`,
        "Index the folder again (POST /api/codebase/index).",
      );
    return e;
  }

  /** Root-relative `/` path of a changed file; absolute paths must lie under the root. */
  private relativeIn(e: Entry, p: string): string {
    let rel: string;
    if (e.kind === "local" && isAbsolute(p)) {
      rel = relative(e.root, p).split(sep).join("/");
    } else if ((e.kind === "workspace" || e.kind === "host") && p.startsWith("/")) {
      rel = posix.relative(e.root, posix.normalize(p));
    } else {
      rel = posix.normalize(p.replace(/\\/g, "/"));
    }
    rel = rel.replace(/^\.\/+/, "").replace(/\/+$/, "");
    if (rel === "" || rel === "." || rel === ".." || rel.startsWith("../") || rel.startsWith("/"))
      throw new AppError("BAD_REQUEST", `The path ${JSON.stringify(p)} is not inside the codebase root ${e.root}.`);
    return rel;
  }

  private makeRoom(): void {
    if (this.entries.size < this.limits.maxIndexes) return;
    const idle = [...this.entries.values()].filter((e) => !e.building).sort((a, b) => a.lastUsed - b.lastUsed);
    const victim = idle[0];
    if (!victim)
      throw new AppError(
        "CODEBASE_BUSY",
        `All ${this.limits.maxIndexes} codebase indexes are being built.`,
        "Try again once one of them is ready.",
      );
    this.drop(victim, "limit");
  }

  private sweep(): void {
    const now = Date.now();
    for (const e of [...this.entries.values()])
      if (!e.building && now - e.lastUsed > this.limits.idleMs) this.drop(e, "idle");
  }

  private drop(e: Entry, reason: "idle" | "limit" | "deleted"): void {
    e.abort.abort(new AppError("CANCELLED", "The codebase index was dropped."));
    this.entries.delete(e.id);
    this.metrics.evicted(reason);
    for (const l of [...e.listeners]) l();
    log.info(`codebase: dropped ${e.id} (${reason})`);
  }

  private viewOf(e: Entry): CodebaseIndexView {
    return {
      index_id: e.id,
      status: e.status,
      files_indexed: e.filesIndexed,
      files_total: e.filesTotal,
      truncated: e.truncated,
      root: e.root,
      workspace_id: e.workspaceId,
      host_id: e.hostId,
      updated_at: e.updatedAt,
      ...(e.error ? { error: e.error } : {}),
    };
  }
}

export function indexIdFor(key: string): string {
  return `cb_${createHash("sha256").update(key).digest("hex").slice(0, 20)}`;
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Resolves when `p` settles, `ms` pass, or `signal` aborts (never rejects: the caller checks). */
function waitFor(p: Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    p.then(done, done);
  });
}
