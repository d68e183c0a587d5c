/**
 * A Docker workspace's folder as an @codebase `FileSource` (server/codebase/types.ts), over the
 * same exec path as the files API, so local engines and remote hosts over SSH work alike.
 * The listing and batched reads are server/codebase/shell-source.ts; this file only runs its
 * shell scripts in the container.
 */
import type { FileSource } from "../codebase/types";
import { createShellFileSource, resolveShellRoot, type ShellExec } from "../codebase/shell-source";
import type { ExecRequest, ExecResult } from "../api/workspaces";
import { checkPath } from "./files";
import type { WorkspaceService } from "./service";

export { splitBatch } from "../codebase/shell-source";

/** The part of WorkspaceService this source needs (its `exec`: resolves the workspace, maps Docker errors). */
export interface WorkspaceExec {
  exec(
    id: string,
    req: ExecRequest,
    signal?: AbortSignal,
    onChunk?: (kind: 1 | 2, chunk: Buffer) => void,
  ): Promise<ExecResult>;
}

export interface WorkspaceSourceOptions {
  workspaces: WorkspaceExec;
  workspaceId: string;
  /** Real (symlink-free) absolute folder in the container: see resolveWorkspaceRoot. */
  root: string;
}

/** `sh -c` inside the workspace's container, from `/`. */
function shellIn(ws: WorkspaceExec, workspaceId: string): ShellExec {
  return (script, args, run) =>
    ws.exec(
      workspaceId,
      { cmd: ["sh", "-c", script, "sh", ...args], cwd: "/", timeoutMs: run.timeoutMs },
      run.signal,
      run.onStdout ? (kind, chunk) => kind === 1 && run.onStdout?.(chunk) : undefined,
    );
}

/** The folder's real path inside the running workspace, or a clear error. */
export async function resolveWorkspaceRoot(ws: WorkspaceExec, workspaceId: string, root: string): Promise<string> {
  return resolveShellRoot(shellIn(ws, workspaceId), checkPath(root), `workspace ${workspaceId}`);
}

export function createWorkspaceFileSource(opts: WorkspaceSourceOptions): FileSource {
  const { workspaces, workspaceId, root } = opts;
  return createShellFileSource({
    exec: shellIn(workspaces, workspaceId),
    root,
    description: `workspace ${workspaceId}:${root}`,
    where: `workspace ${workspaceId}`,
  });
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
