/**
 * "Show Logs": the container's last lines in a read-only editor, then new lines as they come
 * (the backend's SSE follow route). Following stops when the editor's tab is closed.
 */
import * as vscode from "vscode";
import type { ContainerLogEvent } from "../../server/api/containers";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { isOpenInTab, type RemoteDocuments } from "./documents";

export const LOG_TAIL_LINES = 200;
/** Appends are batched: every change makes VS Code read the whole document again. */
const FLUSH_MS = 150;

export async function followLogs(
  client: Pick<BackendClient, "stream">,
  docs: RemoteDocuments,
  host: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const uri = docs.uri(host, `${name} logs (following)`);
  docs.set(
    uri,
    `# docker logs --tail ${LOG_TAIL_LINES} --follow ${name}   (${host}; following until this tab is closed)\n`,
  );
  await docs.show(uri);
  const ac = new AbortController();
  const stopIfClosed = () => {
    if (!isOpenInTab(uri)) ac.abort();
  };
  const key = uri.toString();
  // Like `tail -f`: new lines scroll into view while the user is at the end; scrolled up, the view stays put.
  let stick = true;
  const subs = [
    vscode.window.tabGroups.onDidChangeTabs(stopIfClosed),
    vscode.workspace.onDidCloseTextDocument((d) => d.uri.toString() === key && ac.abort()),
    vscode.window.onDidChangeTextEditorVisibleRanges((e) => {
      if (e.textEditor.document.uri.toString() !== key) return;
      stick = (e.visibleRanges.at(-1)?.end.line ?? 0) >= e.textEditor.document.lineCount - 2;
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== key || !stick) return;
      const last = e.document.lineCount - 1;
      for (const ed of vscode.window.visibleTextEditors)
        if (ed.document === e.document) ed.revealRange(new vscode.Range(last, 0, last, 0));
    }),
  ];
  let pending = "";
  let timer: NodeJS.Timeout | undefined;
  let received = 0;
  const flush = () => {
    timer = undefined;
    if (pending === "" || ac.signal.aborted) return;
    docs.append(uri, pending);
    pending = "";
    e2eReport("remote-logs-text", { host, container: name, chars: docs.text(uri).length, events: received });
  };
  const add = (text: string) => {
    pending += text;
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  e2eReport("remote-logs-opened", { host, container: name, uri: uri.toString() });
  const path = `/api/hosts/${encodeURIComponent(host)}/containers/${encodeURIComponent(name)}/logs?tail=${LOG_TAIL_LINES}&follow=1`;
  try {
    for await (const m of client.stream("GET", path, { signal: ac.signal, timeoutMs: 30_000, headers })) {
      const ev = JSON.parse(m.data) as ContainerLogEvent;
      received++;
      if (ev.type === "error") {
        add(`\n[${ev.error.code}: ${ev.error.message}]\n`);
        break;
      }
      add(ev.text);
    }
    add("\n[the log stream ended: the container stopped or the connection closed]\n");
  } catch (err) {
    if (!ac.signal.aborted) add(`\n[log stream failed: ${err instanceof BackendError ? err.message : String(err)}]\n`);
  } finally {
    clearTimeout(timer);
    flush();
    for (const s of subs) s.dispose();
    e2eReport("remote-logs-stopped", { host, container: name, closedByUser: ac.signal.aborted });
    if (ac.signal.aborted) docs.forget(uri);
  }
}
