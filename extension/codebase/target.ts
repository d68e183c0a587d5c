/**
 * Which codebase `@codebase` and background indexing mean for this window, without `vscode`:
 * the first workspace folder, as a local root (`file:`) or as a Docker workspace
 * (`aicockpit-ws://<id>/…`, the folder the Workspaces view adds). Other schemes (a remote
 * window, a virtual folder) have no files the backend can read.
 */
import { idOfAuthority, WS_SCHEME } from "../workspaces/model";

export interface FolderInfo {
  scheme: string;
  /** `uri.fsPath` for file folders, `uri.path` otherwise. */
  path: string;
  authority: string;
  name: string;
}

export type CodebaseTarget =
  | { kind: "local"; root: string; name: string }
  /** `root`: the folder inside the container (the Workspaces view adds `/workspace`). */
  | { kind: "workspace"; workspaceId: string; root: string; name: string };

export function codebaseTarget(folders: readonly FolderInfo[]): CodebaseTarget | { error: string } {
  const f = folders[0];
  if (!f) return { error: "Open a folder first: @codebase searches the open folder." };
  if (f.scheme === "file") return { kind: "local", root: f.path, name: f.name };
  if (f.scheme === WS_SCHEME && f.authority !== "")
    return { kind: "workspace", workspaceId: idOfAuthority(f.authority), root: f.path || "/workspace", name: f.name };
  return { error: `@codebase cannot index a ${f.scheme}: folder.` };
}

/** A stable key for "the same codebase" (index once per key, not once per call). */
export function targetKey(t: CodebaseTarget): string {
  return t.kind === "local" ? `local:${t.root}` : `workspace:${t.workspaceId}`;
}
