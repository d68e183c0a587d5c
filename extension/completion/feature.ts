/**
 * Inline completion in VS Code: the provider, its status item and commands, feedback to
 * the backend. Completion settings are read on every request, so they apply live (the
 * backend is restarted only for provider/network settings).
 */
import * as vscode from "vscode";
import {
  COMPLETION_TEMPLATE_NAMES,
  type CompletionMultiline,
  type CompletionTemplateName,
} from "../../server/api/completion";
import type { BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { SECTION } from "../settings";
import { CompletionContext } from "./context";
import { ACCEPTED_COMMAND, CompletionProvider, type CompletionSettings } from "./provider";
import { COMPLETION_COMMANDS, CompletionStatus } from "./status";

export function readCompletionSettings(): CompletionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const template = c.get<string>("completion.template", "auto");
  const multiline = c.get<string>("completion.multiline", "auto");
  return {
    enabled: c.get<boolean>("completion.enabled", true),
    disabledLanguages: c.get<string[]>("completion.disabledLanguages", []),
    template: (COMPLETION_TEMPLATE_NAMES as readonly string[]).includes(template)
      ? (template as CompletionTemplateName)
      : undefined,
    multiline: multiline === "always" || multiline === "never" ? (multiline as CompletionMultiline) : "auto",
    timeoutMs: Math.min(30_000, Math.max(200, c.get<number>("completion.timeoutMs", 2_500))),
  };
}

export function registerCompletionFeature(
  context: vscode.ExtensionContext,
  backend: Pick<BackendClient, "call">,
  log: (msg: string) => void,
): void {
  const model = () => vscode.workspace.getConfiguration(SECTION).get<string>("provider.model") || undefined;
  const status = new CompletionStatus(context.globalState, model);
  const gathering = new CompletionContext();

  const report = (id: string, outcome: "accepted" | "rejected") => {
    e2eReport(outcome === "accepted" ? "completion-accepted" : "completion-rejected", { id });
    backend
      .call("POST /api/complete/feedback", { body: { id, outcome }, timeoutMs: 5_000 })
      .catch((err: unknown) => log(`completion feedback not recorded: ${String(err)}`));
  };

  let warnedSlow = false;
  const provider = new CompletionProvider(
    {
      backend,
      context: gathering,
      settings: readCompletionSettings,
      gate: () => status.gateInput(),
      waiting: (d) => status.waiting(d),
      tooSlow: (m, timeoutMs) => {
        // The detector warns once per model; this keeps it to one toast per window even when the user switches models.
        if (warnedSlow) return;
        warnedSlow = true;
        log(`inline completion: ${m} keeps hitting the ${timeoutMs} ms limit`);
        e2eReport("completion-too-slow", { model: m });
        void vscode.window
          .showWarningMessage(
            `AiCockpit: ${m} is too slow for inline completion — answers keep hitting the ${timeoutMs} ms limit and are cut short. A smaller or faster model (e.g. a 1.5B–7B coder model) suits completion better.`,
            "Select Model",
            "Completion Settings",
          )
          .then((choice) => {
            if (choice === "Select Model") void vscode.commands.executeCommand("aicockpit.selectModel");
            if (choice === "Completion Settings")
              void vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.completion.timeoutMs`);
          });
      },
      log,
    },
    report,
  );

  context.subscriptions.push(
    status,
    gathering,
    provider,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (id: unknown) => {
      if (typeof id === "string") provider.feedback.accepted(id);
    }),
    vscode.commands.registerCommand(COMPLETION_COMMANDS.menu, () => status.menu()),
    vscode.commands.registerCommand(COMPLETION_COMMANDS.toggle, () => status.toggle()),
    vscode.commands.registerCommand(COMPLETION_COMMANDS.snooze, () => status.pickSnooze()),
    vscode.workspace.onDidCloseTextDocument((d) => provider.forget(d.uri.toString())),
    // Keystrokes, for the debounce: VS Code calls the provider only after a 50 ms lull, so the calls alone do not show how fast the user types.
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length > 0 && e.document === vscode.window.activeTextEditor?.document) provider.typed();
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => {
      const d = e.textEditor.document;
      provider.cursorMoved(
        d.uri.toString(),
        d.version,
        d.offsetAt(e.selections[0]?.active ?? new vscode.Position(0, 0)),
      );
    }),
    vscode.window.onDidChangeActiveTextEditor((ed) => provider.activeChanged(ed?.document.uri.toString())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(`${SECTION}.completion`)) return;
      const s = readCompletionSettings();
      e2eReport("completion-settings", {
        enabled: s.enabled,
        timeoutMs: s.timeoutMs,
        disabledLanguages: s.disabledLanguages.join(","),
      });
      // Turned off: whatever is still generating is no longer wanted.
      if (!s.enabled) provider.cancel.abortAll();
    }),
  );
}
