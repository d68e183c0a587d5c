/**
 * Docker workspaces for @workspace, through the backend (never Docker directly): which ones
 * exist (for the picker, cached briefly; none when the backend cannot list them) and a
 * bounded file tree of one, walked breadth-first under /workspace.
 */
import type { BackendClient } from "../backend/client";
import type { WorkspaceView } from "../../server/api/workspaces";
import type { WorkspaceSnapshot } from "./resolve";

const ROOT = "/workspace";
const TTL_MS = 10_000;
const MAX_ENTRIES = 400;
const MAX_DEPTH = 5;
const MAX_DIRS = 120;
// Dependency and build folders: thousands of entries that say nothing about the project.
const SKIP = new Set([
  ".git",
  "node_modules",
  "__pycache__",
  ".venv",
  "venv",
  "target",
  "dist",
  "build",
  ".cache",
  ".gradle",
  ".idea",
  ".vscode-server",
]);

export class ChatWorkspaces {
  private cache: { at: number; list: WorkspaceView[] } | undefined;

  constructor(private readonly client: Pick<BackendClient, "call">) {}

  /** Workspaces the backend reports; [] when it has none or cannot say. */
  async list(): Promise<WorkspaceView[]> {
    if (this.cache && Date.now() - this.cache.at < TTL_MS) return this.cache.list;
    let list: WorkspaceView[] = [];
    try {
      list = (await this.client.call("GET /api/workspaces", { timeoutMs: 5_000 })).workspaces;
    } catch {
      // No Docker, no workspaces feature, backend restarting: the picker simply offers none.
    }
    this.cache = { at: Date.now(), list };
    return list;
  }

  async snapshot(name: string | undefined): Promise<WorkspaceSnapshot | { error: string }> {
    const all = await this.list();
    const running = all.filter((w) => w.state === "running");
    const w = name !== undefined ? all.find((x) => x.name === name) : running.length === 1 ? running[0] : undefined;
    if (!w) {
      if (name !== undefined) return { error: `No Docker workspace named "${name}".` };
      return {
        error:
          running.length === 0
            ? "No Docker workspace is running."
            : "Several workspaces are running: pick one with @workspace:<name>.",
      };
    }
    if (w.state !== "running") return { error: `Workspace "${w.name}" is ${w.state}: start it first.` };
    const lines: string[] = [];
    let truncated = false;
    const queue: { path: string; depth: number }[] = [{ path: ROOT, depth: 0 }];
    let dirs = 0;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const { path, depth } = next;
        if (++dirs > MAX_DIRS) {
          truncated = true;
          break;
        }
        const { entries } = await this.client.call("POST /api/workspaces/:id/files/list", {
          params: { id: w.id },
          body: { path },
          timeoutMs: 10_000,
        });
        for (const e of [...entries].sort((a, b) => a.name.localeCompare(b.name))) {
          const full = `${path}/${e.name}`;
          const rel = full.slice(ROOT.length + 1);
          if (lines.length >= MAX_ENTRIES) {
            truncated = true;
            break;
          }
          if (e.type === "directory") {
            lines.push(`${rel}/`);
            if (SKIP.has(e.name)) continue;
            if (depth + 1 < MAX_DEPTH) queue.push({ path: full, depth: depth + 1 });
            else truncated = true;
          } else {
            lines.push(rel);
          }
        }
        if (lines.length >= MAX_ENTRIES) {
          truncated = true;
          break;
        }
      }
    } catch (err) {
      return { error: `Cannot list the files of "${w.name}": ${err instanceof Error ? err.message : String(err)}` };
    }
    return { name: w.name, tree: lines.length > 0 ? lines.join("\n") : "(empty)", truncated };
  }
}
