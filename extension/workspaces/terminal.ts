/** "Open Terminal": a VS Code terminal inside a workspace, on the backend's workspace TTY. */
import type * as vscode from "vscode";
import type { ClientConnection } from "../backend/client";
import { ttyTerminal } from "../backend/tty-terminal";

export function workspaceTerminal(conn: ClientConnection, id: string, name: string): vscode.Terminal {
  return ttyTerminal(conn, {
    path: `/api/workspaces/${encodeURIComponent(id)}/tty`,
    name: `Workspace: ${name}`,
    icon: "vm",
    what: "the workspace",
    reportPrefix: "workspace",
    reportData: { id },
  });
}
