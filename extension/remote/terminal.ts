/**
 * "Open Terminal" on a container of the Remote Hosts view: the backend opens the shell
 * (`docker exec -it` equivalent) on the host's engine, locally or over SSH; this is only the
 * VS Code terminal on its TTY WebSocket.
 */
import type * as vscode from "vscode";
import type { ClientConnection } from "../backend/client";
import { ttyTerminal } from "../backend/tty-terminal";
import { LOCAL } from "./model";

export function containerTerminal(
  conn: ClientConnection,
  host: string,
  container: string,
  headers: Record<string, string> = {},
): vscode.Terminal {
  return ttyTerminal(conn, {
    path: `/api/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(container)}/tty`,
    name: host === LOCAL ? container : `${container} @ ${host}`,
    icon: "terminal",
    what: "the container",
    reportPrefix: "remote",
    reportData: { host, container },
    headers,
  });
}
