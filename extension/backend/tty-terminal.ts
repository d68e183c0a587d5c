/**
 * A VS Code terminal on one of the backend's TTY WebSockets (workspaces' and any container's
 * Open Terminal; protocol in server/api/workspaces.ts). The Pseudoterminal speaks to the
 * backend only (same token as HTTP); keystrokes go out as binary frames, resizes as control
 * messages, and the shell's exit closes the terminal with its exit code.
 */
import * as vscode from "vscode";
// Type only: `ws` (a third of the bundle) is evaluated when the first terminal opens, not at activation.
import type WebSocket from "ws";
import type { TtyServerMessage } from "../../server/api/workspaces";
import type { ClientConnection } from "./client";
import { e2eReport } from "../e2e-report";

export interface TtyTerminalOptions {
  /** The WebSocket path, e.g. `/api/workspaces/<id>/tty` (already URL-encoded). */
  path: string;
  /** The terminal tab's title. */
  name: string;
  icon: string;
  /** What the terminal is on, for the lost-connection line: "the workspace", "the container". */
  what: string;
  /** E2E report events are `<reportPrefix>-terminal-ready|closed`, with `reportData`. */
  reportPrefix: string;
  reportData: Record<string, string | number | boolean | null>;
  /** Extra upgrade headers (e.g. X-AiCockpit-Host-Credentials). */
  headers?: Record<string, string>;
}

export function ttyTerminal(conn: ClientConnection, opts: TtyTerminalOptions): vscode.Terminal {
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
      const url = `${conn.baseUrl.replace(/^http/, "ws")}${opts.path}?cols=${cols}&rows=${rows}`;
      import("ws").then(
        ({ default: WS }) =>
          connect(new WS(url, { headers: { ...opts.headers, authorization: `Bearer ${conn.token}` } })),
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
      if (m.type === "ready") e2eReport(`${opts.reportPrefix}-terminal-ready`, opts.reportData);
      if (m.type === "exit") exitCode = m.exitCode;
      if (m.type === "error") {
        e2eReport(`${opts.reportPrefix}-terminal-error`, { ...opts.reportData, code: m.code });
        write.fire(`\r\n\x1b[31m${m.message}\x1b[0m${m.hint ? `\r\n${m.hint}` : ""}\r\n`);
      }
    });
    ws.on("unexpected-response", (_req, res) => {
      write.fire(`\r\n\x1b[31mThe backend refused the terminal (HTTP ${res.statusCode}).\x1b[0m\r\n`);
    });
    ws.on("error", (err) => write.fire(`\r\n\x1b[31mTerminal connection failed: ${err.message}\x1b[0m\r\n`));
    ws.on("close", () => {
      e2eReport(`${opts.reportPrefix}-terminal-closed`, { ...opts.reportData, exitCode: exitCode ?? null });
      // Exit closes the terminal (VS Code shows a non-zero code); a lost connection leaves it open to read.
      if (exitCode !== undefined) close.fire(exitCode ?? undefined);
      else write.fire(`\r\n[connection to ${opts.what} closed]\r\n`);
    });
  }
  return vscode.window.createTerminal({ name: opts.name, pty, iconPath: new vscode.ThemeIcon(opts.icon) });
}
