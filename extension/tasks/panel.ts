/**
 * One editor panel per task. It follows the task's event stream (reconnecting without repeats)
 * and shows the state in a webview; the user's choices go to the backend as decisions. Closing
 * the panel only stops following — the task goes on in the backend, and reopening replays its
 * log and follows it live again. A `dangerous` command needs a second, modal confirmation here,
 * as in the terminal flow; an edit is assessed again by the backend and asked about anew.
 */
import * as vscode from "vscode";
import type { TaskDecisionRequest } from "../../server/api/tasks";
import type { FromPanel, ToPanel } from "../../webview-ui/tasks/protocol";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { webviewHtml } from "../webview-html";
import { followTask } from "./follow";
import { applyEvent, initialState, type PanelState } from "./model";

const VIEW_TYPE = "aicockpit.task";
const POST_EVERY_MS = 80;

export class TaskPanels implements vscode.Disposable {
  private readonly open = new Map<string, TaskPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: BackendClient,
    private readonly onChange: () => void,
    private readonly log: (m: string) => void,
  ) {}

  async show(taskId: string): Promise<void> {
    const existing = this.open.get(taskId);
    if (existing) return existing.reveal();
    const view = await this.client.call("GET /api/tasks/:id", { params: { id: taskId }, timeoutMs: 20_000 });
    const p = new TaskPanel(this.extensionUri, this.client, initialState(view), this.onChange, this.log);
    this.open.set(taskId, p);
    p.onDispose(() => this.open.delete(taskId));
  }

  dispose(): void {
    for (const p of this.open.values()) p.dispose();
  }
}

class TaskPanel {
  private readonly panel: vscode.WebviewPanel;
  private readonly ac = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private ready = false;
  private lastStatus: string;
  private readonly disposers: (() => void)[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly client: BackendClient,
    private readonly state: PanelState,
    private readonly onChange: () => void,
    private readonly log: (m: string) => void,
  ) {
    this.lastStatus = state.status;
    this.panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      title(state),
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, "dist")],
      },
    );
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, "media", "aicockpit.svg");
    this.panel.webview.html = html(this.panel.webview, extensionUri);
    this.panel.webview.onDidReceiveMessage((m: FromPanel) => void this.onMessage(m));
    this.panel.onDidDispose(() => {
      this.ac.abort();
      clearTimeout(this.timer);
      for (const d of this.disposers) d();
    });
    e2eReport("task-panel-opened", { task: state.task_id });
    void followTask(
      client,
      state.task_id,
      0,
      {
        onEvent: (e) => {
          if (!applyEvent(this.state, e)) return;
          if (e.type === "awaiting_confirmation")
            e2eReport("task-question", {
              task: state.task_id,
              step: e.pending.subtask + 1,
              role: e.pending.role,
              command: e.pending.command,
              risk: e.pending.risk,
              id: e.pending.confirmation_id,
            });
          if (e.type === "hang_suspected")
            e2eReport("task-hang", { task: state.task_id, step: e.pending.subtask + 1, id: e.pending.hang_id });
          if (e.type === "validation")
            e2eReport("task-validation", {
              task: state.task_id,
              step: e.subtask + 1,
              attempt: e.attempt,
              result: e.result,
            });
          if (e.type === "summary") e2eReport("task-summary", { task: state.task_id, text: e.summary.text });
          if (this.state.status !== this.lastStatus) {
            this.lastStatus = this.state.status;
            e2eReport("task-status", { task: state.task_id, status: this.state.status });
            this.onChange();
          }
          this.schedule();
        },
        onLink: (l) => {
          this.state.link = l;
          this.schedule();
        },
      },
      this.ac.signal,
    ).catch((err: unknown) => this.log(`tasks: following ${state.task_id} ended: ${String(err)}`));
  }

  onDispose(f: () => void): void {
    this.disposers.push(f);
  }

  reveal(): void {
    this.panel.reveal();
  }

  dispose(): void {
    this.panel.dispose();
  }

  /** State goes to the webview at most every POST_EVERY_MS (output can stream fast). */
  private schedule(): void {
    if (this.timer || !this.ready) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.panel.title = title(this.state);
      void this.panel.webview.postMessage({ type: "state", state: this.state } satisfies ToPanel);
    }, POST_EVERY_MS);
  }

  private async decide(body: TaskDecisionRequest): Promise<void> {
    const r = await this.client.call("POST /api/tasks/:id/decision", {
      params: { id: this.state.task_id },
      body,
      timeoutMs: 30_000,
    });
    e2eReport("task-decision", {
      task: this.state.task_id,
      action: body.action,
      ...(r.pending ? { newRisk: r.pending.risk, newCommand: r.pending.command } : {}),
    });
  }

  private async onMessage(m: FromPanel): Promise<void> {
    const id = this.state.task_id;
    try {
      switch (m.type) {
        case "ready":
          this.ready = true;
          this.schedule();
          return;
        case "run": {
          const p = this.state.pending;
          if (!p || p.confirmation_id !== m.confirmation_id) return;
          if (p.risk === "dangerous") {
            e2eReport("task-dangerous-confirm", { task: id, command: p.command });
            const ok = await vscode.window.showWarningMessage(
              "Run a dangerous command?",
              {
                modal: true,
                detail: `${p.command}\n\n${p.reasons.join("\n") || "This command is dangerous."}`,
              },
              "Run dangerous command",
            );
            if (ok !== "Run dangerous command") return this.schedule();
          }
          return await this.decide({
            confirmation_id: p.confirmation_id,
            action: "run",
            confirmDangerous: p.risk === "dangerous",
          });
        }
        case "edit": {
          const p = this.state.pending;
          if (!p || p.confirmation_id !== m.confirmation_id) return;
          const edited = await vscode.window.showInputBox({
            title: `AiCockpit: edit step ${p.subtask + 1}'s ${p.role}`,
            prompt: "It is assessed again and shown to you before it can run.",
            value: p.command,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() === "" ? "Enter a command, or press Esc to keep the proposal." : undefined),
          });
          if (!edited || edited.trim() === p.command) return this.schedule();
          return await this.decide({ confirmation_id: p.confirmation_id, action: "edit", command: edited.trim() });
        }
        case "skip":
          return await this.decide({ confirmation_id: m.confirmation_id, action: "skip" });
        case "stop": {
          const p = this.state.pending;
          if (p) return await this.decide({ confirmation_id: p.confirmation_id, action: "stop" });
          await this.client.call("POST /api/tasks/:id/cancel", { params: { id }, timeoutMs: 30_000 });
          e2eReport("task-decision", { task: id, action: "cancel" });
          return;
        }
        case "wait":
        case "kill":
          return await this.decide({ hang_id: m.hang_id, action: m.type });
        case "input": {
          const text = await vscode.window.showInputBox({
            title: "AiCockpit: send input to the command",
            prompt: "Sent to the command's standard input, followed by Enter.",
            ignoreFocusOut: true,
          });
          if (text === undefined) return this.schedule();
          return await this.decide({ hang_id: m.hang_id, action: "input", text });
        }
      }
    } catch (err) {
      const e = err instanceof BackendError ? err : undefined;
      this.log(`tasks: ${m.type} failed: ${e ? `${e.code} ${e.message}` : String(err)}`);
      e2eReport("task-error", { task: id, action: m.type, code: e?.code ?? null, message: e?.message ?? String(err) });
      void vscode.window.showErrorMessage(`AiCockpit task: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
      this.schedule(); // the buttons were disabled on click: show them again
    }
  }
}

function title(s: PanelState): string {
  const short = s.prompt.length > 32 ? `${s.prompt.slice(0, 31)}…` : s.prompt;
  return `Task: ${short}`;
}

function html(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    bundle: "tasks",
    title: "AiCockpit Task",
    role: "main",
    label: "AiCockpit task",
  });
}
