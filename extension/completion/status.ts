/**
 * The completion status item and its menu: on / off / off for this language / snoozed,
 * a spinner while a request waits, and a click that opens the choices. Snooze lives in
 * globalState so every window of this user honours it until it runs out.
 */
import * as vscode from "vscode";
import { e2eReport } from "../e2e-report";
import { SECTION } from "../settings";
import { gateState, SNOOZE_CHOICES_MIN, statusText, type GateInput } from "./gate";

export const COMPLETION_COMMANDS = {
  menu: "aicockpit.completion.menu",
  toggle: "aicockpit.completion.toggle",
  snooze: "aicockpit.completion.snooze",
} as const;

const SNOOZE_KEY = "aicockpit.completion.snoozedUntil";
/** The spinner shows only for requests that take a moment: a flicker per keystroke is noise. */
const SPINNER_AFTER_MS = 150;

export class CompletionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    "aicockpit.completion",
    vscode.StatusBarAlignment.Right,
    100,
  );
  private readonly subs: vscode.Disposable[] = [];
  private readonly tick: NodeJS.Timeout;
  private inFlight = 0;
  private spinner = false;
  private spinnerTimer: NodeJS.Timeout | undefined;
  private lastText = "";

  constructor(
    private readonly state: vscode.Memento,
    private readonly model: () => string | undefined,
  ) {
    this.item.name = "AiCockpit Inline Completion";
    this.item.command = COMPLETION_COMMANDS.menu;
    this.subs.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidChangeConfiguration(
        (e) => e.affectsConfiguration(`${SECTION}.completion`) && this.render(),
      ),
    );
    // Counts the snooze down (and ends it) without any event to wait for.
    this.tick = setInterval(() => this.render(), 30_000);
    this.render();
    this.item.show();
  }

  dispose(): void {
    clearInterval(this.tick);
    clearTimeout(this.spinnerTimer);
    this.subs.forEach((d) => d.dispose());
  }

  gateInput(): GateInput {
    const c = vscode.workspace.getConfiguration(SECTION);
    return {
      enabled: c.get<boolean>("completion.enabled", true),
      disabledLanguages: c.get<string[]>("completion.disabledLanguages", []),
      snoozedUntil: this.state.get<number>(SNOOZE_KEY, 0),
    };
  }

  waiting(delta: 1 | -1): void {
    this.inFlight = Math.max(0, this.inFlight + delta);
    if (this.inFlight > 0 && !this.spinner && this.spinnerTimer === undefined) {
      this.spinnerTimer = setTimeout(() => {
        this.spinnerTimer = undefined;
        this.spinner = this.inFlight > 0;
        this.render();
      }, SPINNER_AFTER_MS);
    } else if (this.inFlight === 0) {
      clearTimeout(this.spinnerTimer);
      this.spinnerTimer = undefined;
      if (this.spinner) {
        this.spinner = false;
        this.render();
      }
    }
  }

  render(): void {
    const lang = vscode.window.activeTextEditor?.document.languageId;
    const view = statusText(gateState(this.gateInput(), lang, Date.now()), this.spinner, this.model());
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    if (view.text !== this.lastText) {
      this.lastText = view.text;
      e2eReport("completion-status", { text: view.text });
    }
  }

  async snooze(minutes: number): Promise<void> {
    await this.state.update(SNOOZE_KEY, minutes > 0 ? Date.now() + minutes * 60_000 : 0);
    this.render();
  }

  async toggle(): Promise<void> {
    const c = vscode.workspace.getConfiguration(SECTION);
    const next = !c.get<boolean>("completion.enabled", true);
    await c.update("completion.enabled", next, vscode.ConfigurationTarget.Global);
    // A user turning completion on means now, not when the snooze runs out.
    if (next) await this.snooze(0);
    this.render();
  }

  async setLanguage(languageId: string, enabled: boolean): Promise<void> {
    const c = vscode.workspace.getConfiguration(SECTION);
    const list = new Set(c.get<string[]>("completion.disabledLanguages", []));
    if (enabled) list.delete(languageId);
    else list.add(languageId);
    await c.update("completion.disabledLanguages", [...list].sort(), vscode.ConfigurationTarget.Global);
    this.render();
  }

  async pickSnooze(): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      SNOOZE_CHOICES_MIN.map((m) => ({ label: `$(bell-slash) ${m} minutes`, minutes: m })),
      { title: "AiCockpit: snooze inline completion", placeHolder: "No suggestions for…" },
    );
    if (pick) await this.snooze(pick.minutes);
  }

  async menu(): Promise<void> {
    const input = this.gateInput();
    const lang = vscode.window.activeTextEditor?.document.languageId;
    const state = gateState(input, lang, Date.now());
    type Choice = vscode.QuickPickItem & { run: () => Promise<void> };
    const choices: Choice[] = [];
    if (state.kind === "snoozed")
      choices.push({
        label: "$(bell) Resume now",
        description: `${state.minutesLeft} min of snooze left`,
        run: () => this.snooze(0),
      });
    choices.push(
      input.enabled
        ? { label: "$(circle-slash) Turn off inline completion", description: "everywhere", run: () => this.toggle() }
        : { label: "$(sparkle) Turn on inline completion", run: () => this.toggle() },
    );
    if (lang !== undefined) {
      choices.push(
        input.disabledLanguages.includes(lang)
          ? { label: `$(check) Enable for ${lang}`, run: () => this.setLanguage(lang, true) }
          : { label: `$(circle-slash) Disable for ${lang}`, run: () => this.setLanguage(lang, false) },
      );
    }
    if (input.enabled) {
      for (const m of SNOOZE_CHOICES_MIN)
        choices.push({ label: `$(bell-slash) Snooze for ${m} minutes`, run: () => this.snooze(m) });
    }
    choices.push({
      label: "$(gear) Completion settings",
      run: async () => {
        await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.completion`);
      },
    });
    const pick = await vscode.window.showQuickPick(choices, { title: "AiCockpit inline completion" });
    if (pick) await pick.run();
  }
}
