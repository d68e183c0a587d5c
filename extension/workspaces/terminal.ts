/**
 * "Open Terminal": a VS Code terminal inside a workspace. The Pseudoterminal speaks to the
 * backend's TTY WebSocket (same token as HTTP); keystrokes go out as binary frames, resizes
 * as control messages, and the shell's exit closes the terminal with its exit code.
 */
import * as vscode from "vscode";
// Type only: `ws` (a third of the bundle) is evaluated when the first workspace terminal opens, not at activation.
import type WebSocket from "ws";
import type { TtyServerMessage } from "../../server/api/workspaces";
import type { ClientConnection } from "../backend/client";
import { e2eReport } from "../e2e-report";

export function workspaceTerminal(conn: ClientConnection, id: string, name: string): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let ws: WebSocket | undefined;
  let closed = false;
  let exitCode: number | null | undefined;
  const decoder = new TextDecoder("utf-8");

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(dims) {
      const cols = dims?.columns ?? 80;
      const rows = dims?.rows ?? 24;
      const url = `${conn.baseUrl.replace(/^http/, "ws")}/api/workspaces/${encodeURIComponent(id)}/tty?cols=${cols}&rows=${rows}`;
      import("ws").then(
        ({ default: WS }) => connect(new WS(url, { headers: { authorization: `Bearer ${conn.token}` } })),
        (err: unknown) => write.fire(`\r\n\x1b[31mTerminal connection failed: ${String(err)}\x1b[0m\r\n`),
      );
    },
    handleInput(data) {
      if (ws !== undefined && ws.readyState === ws.OPEN) ws.send(Buffer.from(data, "utf8"), { binary: true });
    },
    setDimensions(d) {
      if (ws !== undefined && ws.readyState === ws.OPEN)
        ws.send(JSON.stringify({ type: "resize", cols: d.columns, rows: d.rows }));
    },
    close() {
      closed = true;
      ws?.close();
    },
  };

  function connect(socket: WebSocket): void {
    ws = socket;
    if (closed) {
      socket.close();
      return;
    }
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        write.fire(decoder.decode(data, { stream: true }));
        return;
      }
      const m = JSON.parse(data.toString("utf8")) as TtyServerMessage;
      if (m.type === "ready") e2eReport("workspace-terminal-ready", { id });
      if (m.type === "exit") exitCode = m.exitCode;
      if (m.type === "error") write.fire(`\r\n\x1b[31m${m.message}\x1b[0m${m.hint ? `\r\n${m.hint}` : ""}\r\n`);
    });
    ws.on("unexpected-response", (_req, res) => {
      write.fire(`\r\n\x1b[31mThe backend refused the terminal (HTTP ${res.statusCode}).\x1b[0m\r\n`);
    });
    ws.on("error", (err) => write.fire(`\r\n\x1b[31mTerminal connection failed: ${err.message}\x1b[0m\r\n`));
    ws.on("close", () => {
      e2eReport("workspace-terminal-closed", { id, exitCode: exitCode ?? null });
      // Exit closes the terminal (VS Code shows a non-zero code); a lost connection leaves it open to read.
      if (exitCode !== undefined) close.fire(exitCode ?? undefined);
      else write.fire("\r\n[connection to the workspace closed]\r\n");
    });
  }
  return vscode.window.createTerminal({ name: `Workspace: ${name}`, pty, iconPath: new vscode.ThemeIcon("vm") });
}
