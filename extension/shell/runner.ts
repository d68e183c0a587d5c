/**
 * Runs a confirmed command in a VS Code terminal. With shell integration the command goes
 * through `executeCommand`, so its output and exit code come back; without it the text is
 * sent as typed input and the caller says that nothing can be captured.
 */
import * as vscode from "vscode";
import { stripAnsi } from "../../common/ansi";
import type { RunOutcome } from "./output";

const TERMINAL_NAME = "AiCockpit";
/** A new terminal's shell needs a moment to load its integration script. */
const NEW_TERMINAL_WAIT_MS = 5_000;
/** An existing terminal that has none by now most likely never will (unsupported shell, or off). */
const EXISTING_TERMINAL_WAIT_MS = 1_000;
const MAX_OUTPUT_CHARS = 64_000;

/** The active terminal if it is still alive, else a new one. */
export function targetTerminal(): { terminal: vscode.Terminal; created: boolean } {
  const active = vscode.window.activeTerminal;
  if (active && active.exitStatus === undefined) return { terminal: active, created: false };
  return { terminal: vscode.window.createTerminal({ name: TERMINAL_NAME }), created: true };
}

export function waitForShellIntegration(
  terminal: vscode.Terminal,
  timeoutMs: number,
): Promise<vscode.TerminalShellIntegration | undefined> {
  if (terminal.shellIntegration) return Promise.resolve(terminal.shellIntegration);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(terminal.shellIntegration);
    }, timeoutMs);
    const sub = vscode.window.onDidChangeTerminalShellIntegration((e) => {
      if (e.terminal !== terminal) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(e.shellIntegration);
    });
  });
}

export async function runInTerminal(command: string, terminal: vscode.Terminal, created: boolean): Promise<RunOutcome> {
  terminal.show(false);
  const si = await waitForShellIntegration(terminal, created ? NEW_TERMINAL_WAIT_MS : EXISTING_TERMINAL_WAIT_MS);
  if (!si) {
    terminal.sendText(command, true);
    return { command, exitCode: undefined, output: "", captured: false };
  }
  let raw = "";
  let execution: vscode.TerminalShellExecution | undefined;
  // Subscribed before the command starts, so a fast command's end is not missed.
  const ended = new Promise<number | undefined>((resolve) => {
    const subs = [
      vscode.window.onDidEndTerminalShellExecution((e) => {
        if (e.execution !== execution) return;
        subs.forEach((d) => d.dispose());
        resolve(e.exitCode);
      }),
      vscode.window.onDidCloseTerminal((t) => {
        if (t !== terminal) return;
        subs.forEach((d) => d.dispose());
        resolve(undefined);
      }),
    ];
  });
  execution = si.executeCommand(command);
  // read() must start right away: output produced before it is called is not replayed.
  const reading = (async () => {
    try {
      for await (const data of execution.read()) {
        raw += data;
        if (raw.length > MAX_OUTPUT_CHARS * 2) raw = raw.slice(-MAX_OUTPUT_CHARS);
      }
    } catch {
      // the terminal closed mid-command: keep what came
    }
  })();
  const exitCode = await ended;
  // The stream ends with the execution; give its last chunk a moment, never hang on it.
  await Promise.race([reading, new Promise((r) => setTimeout(r, 500))]);
  return { command, exitCode, output: stripAnsi(raw).slice(-MAX_OUTPUT_CHARS), captured: true };
}
