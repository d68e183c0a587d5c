/**
 * Recent terminal output for @terminal. VS Code exposes output only through shell
 * integration (`onDidStartTerminalShellExecution` + `execution.read()`); terminals without
 * it (or a shell that does not report) give nothing here, and the chip says so.
 */
import * as vscode from "vscode";
import { e2eReport } from "../e2e-report";
import { stripAnsi } from "../../common/ansi";

const MAX_CHARS_PER_TERMINAL = 64_000;

export class TerminalOutput implements vscode.Disposable {
  private readonly buffers = new Map<vscode.Terminal, string>();
  private lastUsed: vscode.Terminal | undefined;
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    this.subs.push(
      vscode.window.onDidStartTerminalShellExecution((e) => void this.capture(e.terminal, e.execution)),
      vscode.window.onDidCloseTerminal((t) => {
        this.buffers.delete(t);
        if (this.lastUsed === t) this.lastUsed = undefined;
      }),
    );
  }

  private append(t: vscode.Terminal, text: string): void {
    const next = (this.buffers.get(t) ?? "") + text;
    this.buffers.set(t, next.length > MAX_CHARS_PER_TERMINAL ? next.slice(-MAX_CHARS_PER_TERMINAL) : next);
    this.lastUsed = t;
  }

  private async capture(t: vscode.Terminal, execution: vscode.TerminalShellExecution): Promise<void> {
    this.append(t, `$ ${execution.commandLine.value}\n`);
    let got = 0;
    try {
      for await (const data of execution.read()) {
        got += data.length;
        this.append(t, stripAnsi(data));
      }
    } catch {
      // the terminal closed mid-command: keep what came
    }
    // read() only sees data written after the start event reached us: output of a very fast
    // command can be gone already. Say so rather than let the model think there was none.
    if (got === 0) this.append(t, "(output not captured)\n");
    e2eReport("chat-terminal-output", { terminal: t.name, chars: this.buffers.get(t)?.length ?? 0 });
  }

  /** The active terminal's output if it has any, else the last terminal that produced some. */
  recent(): { name: string; text: string } | undefined {
    const active = vscode.window.activeTerminal;
    const t = active && this.buffers.has(active) ? active : this.lastUsed;
    if (!t) return undefined;
    const text = this.buffers.get(t);
    return text ? { name: t.name, text } : undefined;
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }
}
