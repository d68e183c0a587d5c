/**
 * @codebase on the VS Code side: the backend's index of the window's folder is built in the
 * background (lazily, after the backend is ready — never during activation), its progress is a
 * status bar item, file changes are forwarded debounced and batched (the backend runs no watcher
 * of its own), and "AiCockpit: Re-index Codebase" rebuilds. Chat and Ctrl+K ask it what to send.
 */
import { relative, sep } from "node:path";
import * as vscode from "vscode";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import type { ChatCodebase, CodebaseIndexView, CodebaseProgressEvent } from "../../server/api/codebase";
import { ChangeBatcher, type ChangeBatch } from "./changes";
import { progressLook, type IndexProgress } from "./progress";
import { codebaseTarget, targetKey, type CodebaseTarget } from "./target";

export const CODEBASE_COMMANDS = { reindex: "aicockpit.codebase.reindex" } as const;
const SETTING = "aicockpit.codebase.enabled";
/** After the backend is ready: the window's own startup work goes first. */
const START_DELAY_MS = 2_000;
const READY_ITEM_MS = 10_000;
// Folders whose churn says nothing about the code (the backend's ignore rules drop them too).
const NOISE = /(^|\/)(\.git|node_modules|\.venv|__pycache__|dist|build|out|target)(\/|$)/;

export interface CodebaseService {
  /** What @codebase means in this window, or why it means nothing. */
  target(): CodebaseTarget | { error: string };
  /** The `codebase` field of a chat request for a target: the known index when it is this one, unless `fresh`. */
  chatField(t: CodebaseTarget, fresh?: boolean): ChatCodebase;
  /** Retrieved context for a question (Ctrl+K's @codebase): text for the prompt plus the files used. */
  retrieve(question: string, budgetTokens: number, signal?: AbortSignal): Promise<{ context: string; files: string[] }>;
}

function folderTarget(): CodebaseTarget | { error: string } {
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({
    scheme: f.uri.scheme,
    path: f.uri.scheme === "file" ? f.uri.fsPath : f.uri.path,
    authority: f.uri.authority,
    name: f.name,
  }));
  return codebaseTarget(folders);
}

function indexBody(t: CodebaseTarget) {
  if (t.kind === "workspace") return { workspace_id: t.workspaceId, root: t.root };
  // files.exclude is the user's own "not part of my project": the index skips it too.
  const exclude = vscode.workspace.getConfiguration("files").get<Record<string, boolean>>("exclude") ?? {};
  const patterns = Object.entries(exclude)
    .filter(([, on]) => on === true)
    .map(([p]) => p)
    .slice(0, 1000);
  return { root: t.root, ...(patterns.length > 0 ? { ignore_patterns: patterns } : {}) };
}

const asProgress = (v: CodebaseIndexView): IndexProgress => ({
  state: v.status === "building" ? "indexing" : v.status === "ready" ? "ready" : "failed",
  indexed: v.files_indexed,
  total: v.files_total,
  ...(v.error ? { message: v.error.message } : {}),
});

export function registerCodebaseFeature(
  context: vscode.ExtensionContext,
  client: BackendClient,
  log: (msg: string) => void,
  /** Fires each time the backend (re)starts and is ready. */
  onBackendReady: (f: () => void) => vscode.Disposable,
): CodebaseService {
  let index: { key: string; id: string; target: CodebaseTarget } | undefined;
  let run: AbortController | undefined;
  let item: vscode.StatusBarItem | undefined;
  let hideTimer: NodeJS.Timeout | undefined;
  let startTimer: NodeJS.Timeout | undefined;

  const enabled = () => vscode.workspace.getConfiguration().get<boolean>(SETTING, true);

  const show = (p: IndexProgress, name: string) => {
    if (!item) {
      item = vscode.window.createStatusBarItem("aicockpit.codebase", vscode.StatusBarAlignment.Left, 40);
      item.name = "AiCockpit Codebase Index";
      item.command = CODEBASE_COMMANDS.reindex;
      context.subscriptions.push(item);
    }
    const look = progressLook(p, name);
    item.text = look.text;
    item.tooltip = look.tooltip;
    clearTimeout(hideTimer);
    item.show();
    // Once indexed the item steps aside; a failure stays until the user acts on it.
    if (p.state === "ready") hideTimer = setTimeout(() => item?.hide(), READY_ITEM_MS);
  };

  const hasProvider = async (): Promise<boolean> => {
    try {
      return (await client.call("GET /api/providers", { timeoutMs: 10_000 })).activeId !== null;
    } catch {
      return false;
    }
  };

  /** Ensures the index and follows its build to the end. `force`: also when the setting is off (the command). */
  const ensure = async (why: string, force = false): Promise<void> => {
    if (!force && !enabled()) return;
    const t = folderTarget();
    if ("error" in t) return;
    if (!force && !(await hasProvider())) return;
    run?.abort();
    const ctl = new AbortController();
    run = ctl;
    try {
      let view = await client.call("POST /api/codebase/index", { body: indexBody(t), timeoutMs: 30_000 });
      index = { key: targetKey(t), id: view.index_id, target: t };
      log(`codebase: indexing ${t.name} (${why})`);
      e2eReport("codebase-index-started", { id: view.index_id, why });
      show(asProgress(view), t.name);
      if (view.status === "building") {
        for await (const m of client.stream("GET", `/api/codebase/${encodeURIComponent(view.index_id)}/progress`, {
          signal: ctl.signal,
        })) {
          const ev = JSON.parse(m.data) as CodebaseProgressEvent;
          if (ev.type === "error") throw new BackendError(ev.error.code, ev.error.message, ev.error.hint);
          view = ev.index;
          show(asProgress(view), t.name);
          if (ev.type === "end") break;
        }
      }
      if (ctl.signal.aborted) return;
      show(asProgress(view), t.name);
      log(
        view.status === "ready"
          ? `codebase: ${t.name} indexed (${view.files_indexed} files${view.truncated ? ", more left out" : ""})`
          : `codebase: indexing ${t.name} failed: ${view.error?.message ?? "unknown error"}`,
      );
      e2eReport("codebase-indexed", { id: view.index_id, status: view.status, files: view.files_indexed });
    } catch (err) {
      if (ctl.signal.aborted) return;
      const message = err instanceof Error ? err.message : String(err);
      log(`codebase: indexing ${t.name} failed: ${message}`);
      show({ state: "failed", indexed: 0, total: 0, message }, t.name);
      e2eReport("codebase-indexed", { id: index?.id ?? null, status: "failed", files: 0 });
    } finally {
      if (run === ctl) run = undefined;
    }
  };

  const ensureSoon = (why: string) => {
    clearTimeout(startTimer);
    startTimer = setTimeout(() => void ensure(why), START_DELAY_MS);
  };

  const sendChanges = async (batch: ChangeBatch) => {
    const current = index;
    if (!current || !enabled()) return;
    try {
      const r = await client.call("POST /api/codebase/changes", {
        body: {
          index_id: current.id,
          ...(batch.changed.length > 0 ? { changed: batch.changed } : {}),
          ...(batch.deleted.length > 0 ? { deleted: batch.deleted } : {}),
        },
        timeoutMs: 30_000,
      });
      e2eReport("codebase-changes", { updated: r.updated, removed: r.removed });
    } catch (err) {
      // Evicted after an idle time or the backend restarted: ensuring again rescans what changed.
      if (err instanceof BackendError && err.code === "CODEBASE_NOT_FOUND") ensureSoon("index gone");
      else log(`codebase: forwarding changes failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const batcher = new ChangeBatcher({
    debounceMs: 750,
    maxWaitMs: 5_000,
    maxBatch: 500,
    maxPending: 5_000,
    send: (b) => void sendChanges(b),
    overflow: () => ensureSoon("many files changed"),
  });

  /** A root-relative path for a changed URI under the indexed folder, or undefined. */
  const relPath = (uri: vscode.Uri): string | undefined => {
    const t = index?.target;
    if (!t) return undefined;
    let rel: string;
    if (t.kind === "local") {
      if (uri.scheme !== "file") return undefined;
      rel = relative(t.root, uri.fsPath).split(sep).join("/");
    } else {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (!folder || uri.scheme !== folder.scheme || uri.authority !== folder.authority) return undefined;
      const base = folder.path.endsWith("/") ? folder.path : `${folder.path}/`;
      if (!uri.path.startsWith(base)) return undefined;
      rel = uri.path.slice(base.length);
    }
    if (rel === "" || rel.startsWith("..") || rel.startsWith("/") || NOISE.test(rel)) return undefined;
    return rel;
  };
  const onChange = (kind: "changed" | "deleted") => (uri: vscode.Uri) => {
    const rel = relPath(uri);
    if (rel !== undefined) batcher.add(rel, kind);
  };

  let watcher: vscode.FileSystemWatcher | undefined;
  const watch = () => {
    watcher?.dispose();
    watcher = undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    // Docker workspace folders have no change events: their saves are forwarded below, and
    // ensuring the index again (Re-index, reload) rescans what changed inside the container.
    if (!folder || folder.uri.scheme !== "file") return;
    watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, "**/*"));
    watcher.onDidCreate(onChange("changed"));
    watcher.onDidChange(onChange("changed"));
    watcher.onDidDelete(onChange("deleted"));
  };

  context.subscriptions.push(
    { dispose: () => (run?.abort(), clearTimeout(startTimer), clearTimeout(hideTimer), batcher.dispose()) },
    { dispose: () => watcher?.dispose() },
    onBackendReady(() => ensureSoon("backend ready")),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      index = undefined;
      batcher.dispose();
      watch();
      ensureSoon("folders changed");
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (doc.uri.scheme !== "file") onChange("changed")(doc.uri);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTING)) return;
      if (enabled()) ensureSoon("enabled");
      else {
        run?.abort();
        item?.hide();
      }
    }),
    vscode.commands.registerCommand(CODEBASE_COMMANDS.reindex, async () => {
      const t = folderTarget();
      if ("error" in t) {
        void vscode.window.showWarningMessage(`AiCockpit: ${t.error}`);
        return;
      }
      // Rebuild from scratch: drop the old index, then build again.
      if (index) await client.call("DELETE /api/codebase/:id", { params: { id: index.id } }).catch(() => undefined);
      index = undefined;
      await ensure("requested", true);
    }),
  );
  // The watcher costs nothing until files change; the index itself waits for the backend.
  setImmediate(watch);

  return {
    target: folderTarget,
    chatField(t, fresh = false) {
      if (fresh && index?.key === targetKey(t)) index = undefined;
      if (index && index.key === targetKey(t)) return { index_id: index.id };
      const { root, ...rest } = indexBody(t);
      // ignore_patterns belong to POST /api/codebase/index only.
      return "workspace_id" in rest ? { root, workspace_id: rest.workspace_id } : { root };
    },
    async retrieve(question, budgetTokens, signal) {
      const t = folderTarget();
      if ("error" in t) throw new Error(t.error);
      const query = async (fresh: boolean) => {
        if (fresh || !index || index.key !== targetKey(t)) {
          const view = await client.call("POST /api/codebase/index", { body: indexBody(t), timeoutMs: 30_000 });
          index = { key: targetKey(t), id: view.index_id, target: t };
        }
        return client.call("POST /api/codebase/query", {
          body: { index_id: index.id, question, budget_tokens: budgetTokens },
          timeoutMs: 90_000,
          ...(signal ? { signal } : {}),
        });
      };
      let r;
      try {
        r = await query(false);
      } catch (err) {
        // Evicted after an idle time, or the backend restarted: ensure it again once.
        if (!(err instanceof BackendError && err.code === "CODEBASE_NOT_FOUND")) throw err;
        r = await query(true);
      }
      return { context: r.context, files: r.files.map((f) => f.path) };
    },
  };
}
