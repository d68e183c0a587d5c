/**
 * "AiCockpit: Run in Terminal…": description → suggested command with its explanation and
 * risk → Cancel / Run / Edit… → runs in the active (or a new) terminal → exit code and
 * output come back, with "Fix it" on failure. `aicockpit.terminal.runCommand` enters the
 * same flow at the confirmation, for commands from elsewhere (the chat's Run button).
 *
 * Nothing runs without a confirmation, except `safe` commands when the user turned
 * `aicockpit.terminal.autoRunSafe` on; an edited command is assessed again before it can
 * run; `dangerous` needs a second confirmation that names the danger.
 */
import * as os from "node:os";
import * as vscode from "vscode";
import type { ShellPreviousRun, ShellSuggestRequest } from "../../server/api/shell";
import { SHELL_LIMITS } from "../../server/api/shell";
import { BackendError, type BackendClient } from "../backend/client";
import { e2eReport } from "../e2e-report";
import { SECTION } from "../settings";
import { busyPicker, editCommand, pick } from "./confirm";
import { confirmView, dangerView, type Proposal } from "./confirm-view";
import { detectProject, osLabel, shellName } from "./context";
import { outcomeMessage, shortCommand, tailLines, type RunOutcome } from "./output";
import { runInTerminal, targetTerminal } from "./runner";

export const TERMINAL_COMMANDS = {
  suggest: "aicockpit.terminal.suggest",
  runCommand: "aicockpit.terminal.runCommand",
} as const;

/** Arguments of `aicockpit.terminal.runCommand`. */
export interface RunCommandArgs {
  command: string;
}

export type TerminalBackend = Pick<BackendClient, "call">;

const FIX_DESCRIPTION = "Fix the failed command so that it does what it was meant to do.";
const MAX_PACKAGE_JSON_BYTES = 256 * 1024;

export function registerTerminalFeature(
  context: vscode.ExtensionContext,
  backend: TerminalBackend,
  log: (msg: string) => void,
): void {
  /** `{ shell }` for a request, or nothing when VS Code reports no usable shell name. */
  const shellField = (): { shell?: string } => {
    const shell = shellName(vscode.env.shell);
    return shell ? { shell } : {};
  };
  const autoRunSafe = () => vscode.workspace.getConfiguration(SECTION).get<boolean>("terminal.autoRunSafe", false);

  const failed = (what: string, err: unknown) => {
    const code = err instanceof BackendError ? err.code : "UNEXPECTED";
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof BackendError && err.hint ? ` ${err.hint}` : "";
    e2eReport("terminal-failed", { stage: what, code });
    log(`terminal: ${what} failed (${code}): ${message}`);
    void vscode.window.showErrorMessage(`AiCockpit: could not ${what}: ${message}${hint}`);
  };

  /** Suggests a command (from a description, or a fix for a failed run) and takes it to the confirmation. */
  const suggest = async (description: string, previous?: ShellPreviousRun) => {
    const terminal = vscode.window.activeTerminal;
    const body: ShellSuggestRequest = {
      description,
      os: osLabel(process.platform, os.release()),
      ...shellField(),
      ...(await cwdOf(terminal)),
      ...(await projectContext()),
      ...(previous ? { previous } : {}),
    };
    let proposal: Proposal;
    const ac = new AbortController();
    const busy = busyPicker(
      previous ? "AiCockpit: proposing a fix…" : "AiCockpit: suggesting a command…",
      previous ? `$ ${previous.command}` : description,
      () => ac.abort(),
    );
    try {
      proposal = await backend.call("POST /api/shell/suggest", { body, signal: ac.signal });
    } catch (err) {
      if (err instanceof BackendError && err.code === "CANCELLED") return cancelled("suggest");
      failed(previous ? "propose a fix" : "suggest a command", err);
      return;
    } finally {
      busy.dispose();
    }
    // Esc pressed just as the answer arrived: the user said stop, so nothing may auto-run.
    if (ac.signal.aborted) return cancelled("suggest");
    e2eReport("terminal-suggested", { risk: proposal.risk, command: proposal.command, fix: previous !== undefined });
    log(`terminal: suggested (${proposal.risk}) ${shortCommand(proposal.command, 200)}`);
    await confirmAndRun(proposal, true);
  };

  const assess = async (command: string): Promise<Proposal | undefined> => {
    try {
      // The cwd lets the assessment tell a deletion inside the workspace from one elsewhere in home.
      const a = await backend.call("POST /api/shell/assess", {
        body: { command, ...shellField(), ...(await cwdOf(vscode.window.activeTerminal)) },
      });
      e2eReport("terminal-assessed", { risk: a.risk, command });
      return { command, risk: a.risk, reasons: a.reasons };
    } catch (err) {
      failed("assess the command", err);
      return undefined;
    }
  };

  /** The confirmation loop: Edit re-assesses and asks again; only Run (twice for dangerous) runs. */
  const confirmAndRun = async (first: Proposal, mayAutoRun: boolean) => {
    let p = first;
    for (;;) {
      if (mayAutoRun && p.risk === "safe" && autoRunSafe()) {
        e2eReport("terminal-auto-run", { command: p.command });
        await execute(p.command, true);
        return;
      }
      const terminalName = vscode.window.activeTerminal?.name ?? "AiCockpit (new)";
      e2eReport("terminal-confirm", { risk: p.risk, step: "first" });
      const choice = await pick(confirmView(p, terminalName), context.extensionUri);
      if (choice === "cancel") return cancelled("confirm");
      if (choice === "edit") {
        const edited = await editCommand(p.command);
        if (edited === undefined) return cancelled("edit");
        const again = await assess(edited);
        if (!again) return;
        // The user is editing: always show their command before it runs.
        p = again;
        mayAutoRun = false;
        continue;
      }
      if (p.risk === "dangerous") {
        e2eReport("terminal-confirm", { risk: p.risk, step: "danger" });
        if ((await pick(dangerView(p), context.extensionUri)) !== "run") return cancelled("danger");
      }
      await execute(p.command, false);
      return;
    }
  };

  const cancelled = (step: string) => {
    e2eReport("terminal-cancelled", { step });
    log(`terminal: cancelled at ${step}; nothing ran`);
  };

  const execute = async (command: string, auto: boolean) => {
    const { terminal, created } = targetTerminal();
    log(`terminal: running in "${terminal.name}": ${shortCommand(command, 200)}`);
    const status = vscode.window.setStatusBarMessage(`$(loading~spin) AiCockpit: running ${shortCommand(command, 40)}`);
    let outcome: RunOutcome;
    try {
      outcome = await runInTerminal(command, terminal, created);
    } finally {
      status.dispose();
    }
    e2eReport("terminal-ran", {
      exitCode: outcome.exitCode ?? null,
      captured: outcome.captured,
      auto,
      output: tailLines(outcome.output, 20, 2_000),
    });
    await showOutcome(outcome, auto);
  };

  const showOutcome = async (o: RunOutcome, auto: boolean) => {
    const { failed: bad, text } = outcomeMessage(o);
    // Said first, so it shows even in a collapsed notification: the user was not asked.
    const shown = auto
      ? text.replace(/^AiCockpit: /, "AiCockpit ran a safe command without asking (aicockpit.terminal.autoRunSafe). ")
      : text;
    if (!bad) {
      void vscode.window.showInformationMessage(shown);
      return;
    }
    const action = await vscode.window.showErrorMessage(shown, "Fix it");
    if (action !== "Fix it") return;
    await suggest(FIX_DESCRIPTION, {
      command: o.command.slice(0, SHELL_LIMITS.commandChars),
      ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
      output: tailLines(o.output, 60, SHELL_LIMITS.previousOutputChars),
    });
  };

  const start = async () => {
    const description = await vscode.window.showInputBox({
      title: "AiCockpit: Run in Terminal",
      prompt: "Describe what you want to do. You see the command and its risk before anything runs.",
      placeHolder: "e.g. list the 10 largest files under this folder",
      ignoreFocusOut: true,
    });
    if (!description?.trim()) return;
    await suggest(description.trim());
  };

  const runCommand = async (args: RunCommandArgs | undefined) => {
    const command = typeof args?.command === "string" ? args.command.trim() : "";
    if (command === "") {
      void vscode.window.showWarningMessage("AiCockpit: no command to run.");
      return;
    }
    // Commands from elsewhere (a chat answer) always ask, whatever autoRunSafe says.
    const p = await assess(command);
    if (p) await confirmAndRun(p, false);
  };

  const guard = (fn: () => Promise<void>) => () =>
    fn().catch((err: unknown) => failed("run the terminal command flow", err));
  context.subscriptions.push(
    vscode.commands.registerCommand(TERMINAL_COMMANDS.suggest, guard(start)),
    vscode.commands.registerCommand(TERMINAL_COMMANDS.runCommand, (args?: RunCommandArgs) =>
      guard(() => runCommand(args))(),
    ),
  );
}

/** The terminal's working directory when shell integration reports it, else the first workspace folder. */
async function cwdOf(terminal: vscode.Terminal | undefined): Promise<{ cwd?: string }> {
  const fromShell = terminal?.shellIntegration?.cwd;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = fromShell ?? (folder?.scheme === "file" ? folder : undefined);
  const cwd = uri?.fsPath;
  return cwd && cwd.length <= SHELL_LIMITS.cwdChars && !/[\u0000-\u001f]/.test(cwd) ? { cwd } : {};
}

/** Package manager and scripts from the first workspace folder's root; nothing when unreadable. */
async function projectContext(): Promise<Pick<ShellSuggestRequest, "project">> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) return {};
  try {
    const names = (await vscode.workspace.fs.readDirectory(root))
      .filter(([, type]) => type === vscode.FileType.File)
      .map(([n]) => n);
    let packageJson: string | undefined;
    if (names.includes("package.json")) {
      const uri = vscode.Uri.joinPath(root, "package.json");
      if ((await vscode.workspace.fs.stat(uri)).size <= MAX_PACKAGE_JSON_BYTES)
        packageJson = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    }
    const project = detectProject(names, packageJson);
    return project ? { project } : {};
  } catch {
    return {};
  }
}
