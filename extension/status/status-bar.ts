/**
 * The status bar item: follows supervisor events, asks GET /ready when the backend is up,
 * every minute, and whenever `refresh()` is called (after config or key changes). Text,
 * tooltip and click come from the pure status-model; this file only renders and notifies.
 */
import * as vscode from "vscode";
import type { BackendClient } from "../backend/client";
import { statusView, type StatusInput, type StatusView } from "../backend/status-model";
import type { BackendSupervisor, SupervisorEvent } from "../backend/supervisor";
import type { Logger } from "../log/output";
import { e2eReport } from "../e2e-report";
import { NotifyGate } from "./notify-gate";
import { checkProvider } from "./provider-check";

export const STATUS_ITEM_ID = "aicockpit.status";
const RECHECK_MS = 60_000;

export interface StatusBarDeps {
  supervisor: BackendSupervisor;
  client: BackendClient;
  logger: Logger;
  /** Why the settings do not describe a usable provider (shown instead of a bare NO_PROVIDER). */
  configProblems: () => string[];
  /** The configured provider is the embedded model (aicockpit.provider.kind = "local"). */
  isLocal?: () => boolean;
  /** Every new state, e.g. for the first-run walkthrough. */
  onView?: (view: StatusView) => void;
}

/** While the embedded model downloads or loads, the status follows it this often. */
const BUSY_RECHECK_MS = 1_000;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 100);
  private readonly gate = new NotifyGate();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: NodeJS.Timeout;
  private input: StatusInput = { kind: "starting" };
  private view: StatusView | undefined;
  private checkSeq = 0;
  private countdown: NodeJS.Timeout | undefined;
  private busyTimer: NodeJS.Timeout | undefined;
  /** Closes the crash notification; set while one is on screen. */
  private closeCrashNotice: (() => void) | undefined;

  constructor(private readonly deps: StatusBarDeps) {
    this.item.name = "AiCockpit";
    this.set(this.input);
    this.item.show();
    const sub = deps.supervisor.onEvent((e) => this.onSupervisor(e));
    this.disposables.push(this.item, { dispose: () => sub.dispose() });
    this.timer = setInterval(() => void this.refresh(), RECHECK_MS);
  }

  /** Asks the backend for the provider state again; a no-op unless the backend is up. */
  async refresh(): Promise<void> {
    if (this.input.kind !== "ready") return;
    const seq = ++this.checkSeq;
    const check = await checkProvider(this.deps.client, this.deps.configProblems(), this.deps.isLocal?.() ?? false);
    // A newer check, or a backend restart, happened meanwhile: this answer is stale.
    if (seq !== this.checkSeq || this.input.kind !== "ready") return;
    this.set({ kind: "ready", check });
    clearTimeout(this.busyTimer);
    if (check.kind === "local" && (check.local.state === "loading" || check.local.state === "downloading"))
      this.busyTimer = setTimeout(() => void this.refresh(), BUSY_RECHECK_MS);
  }

  dispose(): void {
    this.closeCrashNotice?.();
    clearInterval(this.timer);
    clearInterval(this.countdown);
    clearTimeout(this.busyTimer);
    this.disposables.forEach((d) => d.dispose());
  }

  private onSupervisor(e: SupervisorEvent): void {
    switch (e.type) {
      case "starting":
        this.set({ kind: "starting" });
        break;
      case "ready":
        this.set({ kind: "ready", check: { kind: "pending" } });
        void this.refresh();
        break;
      case "restarting":
        this.countDown(e.delayMs, e.reason);
        break;
      case "failed":
        this.set({ kind: "failed", reason: e.reason });
        break;
      case "stopped":
        this.set({ kind: "stopped" });
        break;
      default:
        break;
    }
  }

  /** "restarting in Ns" counts down, so a long backoff does not look frozen. */
  private countDown(delayMs: number, reason: string): void {
    const at = Date.now() + delayMs;
    this.set({ kind: "restarting", delayMs, reason });
    clearInterval(this.countdown);
    this.countdown = setInterval(() => {
      if (this.input.kind !== "restarting") return clearInterval(this.countdown);
      this.set({ kind: "restarting", delayMs: Math.max(0, at - Date.now()), reason });
    }, 1_000);
  }

  private set(input: StatusInput): void {
    this.input = input;
    const view = statusView(input);
    // Log, report and notify per state; a countdown only re-renders.
    const changed = view.key !== this.view?.key;
    this.view = view;
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = { command: view.command.id, title: view.command.title, arguments: view.command.args ?? [] };
    this.item.backgroundColor =
      view.severity === "error"
        ? new vscode.ThemeColor("statusBarItem.errorBackground")
        : view.severity === "warning"
          ? new vscode.ThemeColor("statusBarItem.warningBackground")
          : undefined;
    if (!changed) return;
    if (view.key !== "crashed") {
      this.closeCrashNotice?.();
      this.closeCrashNotice = undefined;
    }
    this.deps.logger.info(`status: ${view.key} — ${view.text.replace(/^\$\([^)]*\)\s*/, "")}`);
    e2eReport("state", { key: view.key, text: view.text });
    this.deps.onView?.(view);
    if (this.gate.shouldNotify(view)) this.notify(view);
  }

  private notify(view: StatusView): void {
    if (view.key === "crashed") {
      // A crash is transient: shown as a progress notification, which (unlike a message)
      // can be closed from code — it goes away by itself once the backend is back, instead
      // of leaving a stale "restarting…" toast next to a healthy status bar.
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: view.notification ?? view.tooltip },
        () => new Promise<void>((resolve) => (this.closeCrashNotice = resolve)),
      );
      return;
    }
    const buttons = [view.command.title];
    if (view.command.id !== "aicockpit.showLogs") buttons.push("Show Logs");
    const show = view.severity === "error" ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(view.notification ?? view.tooltip, ...buttons).then((picked) => {
      if (picked === view.command.title)
        void vscode.commands.executeCommand(view.command.id, ...(view.command.args ?? []));
      else if (picked === "Show Logs") void vscode.commands.executeCommand("aicockpit.showLogs");
    });
  }
}
