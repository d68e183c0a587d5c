/**
 * One editor panel per ticket run: the run's events rendered live (streamed text, tool calls
 * with their results, plan, diffs, test results, command confirmations, budget, PR link).
 * The extension keeps every event of the run and replays them whenever the page (re)loads;
 * after a window reload VS Code restores the panel (serializer) and the run is read again
 * from its first event, so the whole run shows. Dropped connections resume by Last-Event-ID.
 */
import * as vscode from "vscode";
import type { TicketAction, TicketRunEvent } from "../../server/api/tickets";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { runHtml } from "./run-html";
import { followRun } from "./run-stream";

export const RUN_VIEW_TYPE = "aicockpit.ticketRun";
const ACTION_LABEL: Record<TicketAction, string> = { chat: "Chat", make_plan: "Make Plan", dev: "Dev" };

type FromPage =
  | { type: "ready" }
  | { type: "cancel" }
  | { type: "open"; url: string }
  | { type: "confirm"; confirmation_id: string; action: "run" | "reject"; dangerous?: boolean };

interface PanelState {
  ticketId: string;
  runId: string;
}

class RunPanel {
  private readonly events: TicketRunEvent[] = [];
  private readonly abort = new AbortController();
  private ready = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly ticketId: string,
    readonly runId: string,
    private readonly client: BackendClient,
    private readonly onEnd: (ev: Extract<TicketRunEvent, { type: "end" }>, ticketId: string) => void,
    private readonly log: (m: string) => void,
    /** Brought back after a window reload: replayed, not announced again. */
    private readonly restored: boolean,
  ) {
    this.title = `Ticket ${ticketId}`;
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    panel.webview.html = runHtml(this.title);
    panel.webview.onDidReceiveMessage((m: FromPage) => void this.fromPage(m));
    void this.follow();
  }

  private title: string;
  /** The user's question or goal for the run (from the run's view), shown above its events. */
  private question: { label: string; text: string } | undefined;

  /** The panel's title names the action and the agent (the run's view has them). */
  private async describe(): Promise<void> {
    try {
      const run = await this.client.call("GET /api/tickets/:id/runs/:run", {
        params: { id: this.ticketId, run: this.runId },
        timeoutMs: 20_000,
      });
      const action = ACTION_LABEL[run.action];
      this.title = `Ticket ${this.ticketId} · ${action} (${run.agent === "builtin" ? "built-in agent" : "Gemini CLI"})`;
      this.panel.title = `${this.ticketId} · ${action}`;
      this.post({ type: "title", title: this.title });
      this.question = run.message
        ? { label: run.action === "chat" ? "You asked" : "Goal", text: run.message }
        : undefined;
      if (this.question) this.post({ type: "question", ...this.question });
    } catch {
      /* the events still show; the title stays generic */
    }
  }

  dispose(): void {
    this.abort.abort();
  }

  private post(msg: unknown): void {
    void this.panel.webview.postMessage(msg);
  }

  private async follow(): Promise<void> {
    try {
      await followRun(this.client, {
        ticketId: this.ticketId,
        runId: this.runId,
        after: 0,
        signal: this.abort.signal,
        onEvent: (ev) => {
          // The first event proves the backend is up (after a reload it may not be at first).
          if (this.events.length === 0) void this.describe();
          this.events.push(ev);
          if (this.ready) this.post({ type: "events", events: [ev] });
          if (ev.type === "end") {
            e2eReport("ticket-run-end", {
              ticket: this.ticketId,
              run: this.runId,
              status: ev.status,
              pr: ev.pr_url ?? null,
              events: this.events.length,
              restored: this.restored,
            });
            if (!this.restored) this.onEnd(ev, this.ticketId);
          }
        },
        onReconnect: (attempt, err) => {
          this.log(`tickets: run ${this.runId} stream dropped (${String(err)}), reconnecting (${attempt})`);
          this.post({ type: "connection", text: `reconnecting (${attempt})…` });
        },
      });
      this.post({ type: "connection", text: "" });
    } catch (err) {
      const msg = err instanceof BackendError ? err.message : String(err);
      this.post({ type: "connection", text: `cannot follow the run: ${msg}` });
    }
  }

  private async fromPage(m: FromPage): Promise<void> {
    try {
      switch (m.type) {
        case "ready":
          // A fresh page (first load, or shown again after being hidden): the whole run so far.
          this.ready = true;
          this.post({ type: "reset", title: this.title, ticketId: this.ticketId, runId: this.runId });
          if (this.question) this.post({ type: "question", ...this.question });
          this.post({ type: "events", events: this.events });
          e2eReport("ticket-run-view", { run: this.runId, events: this.events.length });
          return;
        case "open":
          if (/^https?:\/\//i.test(m.url)) await vscode.env.openExternal(vscode.Uri.parse(m.url));
          return;
        case "cancel":
          await this.client.call("POST /api/tickets/:id/runs/:run/cancel", {
            params: { id: this.ticketId, run: this.runId },
          });
          return;
        case "confirm":
          await this.client.call("POST /api/tickets/:id/runs/:run/confirm", {
            params: { id: this.ticketId, run: this.runId },
            body:
              m.action === "run"
                ? {
                    confirmation_id: m.confirmation_id,
                    action: "run",
                    ...(m.dangerous ? { confirmDangerous: true } : {}),
                  }
                : { confirmation_id: m.confirmation_id, action: "reject" },
          });
          return;
      }
    } catch (err) {
      const e = err instanceof BackendError ? err : undefined;
      void vscode.window.showErrorMessage(`Ticket run: ${e?.message ?? String(err)}${e?.hint ? ` ${e.hint}` : ""}`);
    }
  }
}

export class RunPanels implements vscode.WebviewPanelSerializer<PanelState> {
  private readonly open = new Map<string, RunPanel>();

  constructor(
    private readonly client: BackendClient,
    private readonly onEnd: (ev: Extract<TicketRunEvent, { type: "end" }>, ticketId: string) => void,
    private readonly log: (m: string) => void,
  ) {}

  show(ticketId: string, runId: string): void {
    const existing = this.open.get(runId);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(RUN_VIEW_TYPE, `Ticket ${ticketId}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [],
    });
    this.attach(panel, ticketId, runId, false);
  }

  /** After a window reload: VS Code hands back the panel with the state its page saved. */
  deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PanelState | undefined): Thenable<void> {
    if (state && typeof state.ticketId === "string" && typeof state.runId === "string")
      this.attach(panel, state.ticketId, state.runId, true);
    else panel.dispose();
    return Promise.resolve();
  }

  private attach(panel: vscode.WebviewPanel, ticketId: string, runId: string, restored: boolean): void {
    panel.title = `Ticket ${ticketId}`;
    const rp = new RunPanel(panel, ticketId, runId, this.client, this.onEnd, this.log, restored);
    this.open.set(runId, rp);
    panel.onDidDispose(() => {
      rp.dispose();
      this.open.delete(runId);
    });
  }

  dispose(): void {
    for (const p of this.open.values()) p.panel.dispose();
  }
}
