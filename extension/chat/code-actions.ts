/**
 * What a code block's buttons do in the editor. Nothing runs here: Apply opens the Ctrl+K
 * review (hunks with Accept/Reject), Run hands the command to the terminal feature, which
 * assesses its risk and asks the user before running it.
 */
import * as vscode from "vscode";
import type { ActionResult, CodeActionParams } from "../../webview-ui/protocol";

export const REVIEW_PROPOSAL_COMMAND = "aicockpit.edit.reviewProposal";
export const RUN_IN_TERMINAL_COMMAND = "aicockpit.terminal.runCommand";

export class CodeActions implements vscode.Disposable {
  private last: vscode.TextEditor | undefined = vscode.window.activeTextEditor;
  private readonly sub = vscode.window.onDidChangeActiveTextEditor((e) => {
    // Focus moving to the chat view makes this undefined: keep the editor the user came from.
    if (e && (e.document.uri.scheme === "file" || e.document.uri.scheme === "untitled")) this.last = e;
  });

  dispose(): void {
    this.sub.dispose();
  }

  lastEditor(): vscode.TextEditor | undefined {
    if (this.last && vscode.window.visibleTextEditors.includes(this.last)) return this.last;
    if (this.last && !this.last.document.isClosed) return this.last;
    return vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === "file");
  }

  /** The editor a block is meant for: the file it names (focused or opened), else the last editor. */
  async target(path: string | undefined): Promise<vscode.TextEditor | undefined> {
    if (path) {
      const rel = path.replace(/\\/g, "/").replace(/^\.\//, "");
      const matches = (d: vscode.TextDocument) => {
        const r = vscode.workspace.asRelativePath(d.uri, false);
        return r === rel || r.endsWith(`/${rel}`);
      };
      const visible = vscode.window.visibleTextEditors.find((e) => matches(e.document));
      if (visible)
        return vscode.window.showTextDocument(visible.document, {
          viewColumn: visible.viewColumn,
          preserveFocus: false,
        });
      const openDoc = vscode.workspace.textDocuments.find(matches);
      if (openDoc) return vscode.window.showTextDocument(openDoc, { preserveFocus: false });
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (root && !rel.startsWith("/") && !rel.split("/").includes("..")) {
        try {
          const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root, rel));
          return await vscode.window.showTextDocument(doc, { preserveFocus: false });
        } catch {
          // named file does not exist: fall back to the last editor
        }
      }
    }
    const ed = this.lastEditor();
    if (!ed) return undefined;
    return vscode.window.showTextDocument(ed.document, {
      viewColumn: ed.viewColumn,
      selection: ed.selection,
      preserveFocus: false,
    });
  }

  async copy(p: CodeActionParams): Promise<ActionResult> {
    await vscode.env.clipboard.writeText(p.code);
    return { ok: true, message: "Copied." };
  }

  async insert(p: CodeActionParams): Promise<ActionResult> {
    const ed = await this.target(undefined);
    if (!ed) return { ok: false, message: "Open a file to insert the code into." };
    const ok = await ed.edit((b) => {
      for (const sel of ed.selections) b.replace(sel, p.code);
    });
    return ok
      ? { ok: true, message: `Inserted into ${vscode.workspace.asRelativePath(ed.document.uri, false)}.` }
      : { ok: false, message: "The editor refused the edit." };
  }

  async apply(p: CodeActionParams): Promise<ActionResult> {
    const ed = await this.target(p.path);
    if (!ed) return { ok: false, message: "Open the file to apply the code to first." };
    await vscode.commands.executeCommand(REVIEW_PROPOSAL_COMMAND, { proposed: p.code });
    return { ok: true, message: `Review the changes in ${vscode.workspace.asRelativePath(ed.document.uri, false)}.` };
  }

  async run(p: CodeActionParams): Promise<ActionResult> {
    const command = p.code.trim();
    if (command === "") return { ok: false, message: "The block is empty." };
    const all = await vscode.commands.getCommands(true);
    if (!all.includes(RUN_IN_TERMINAL_COMMAND)) {
      const message =
        "Running commands needs AiCockpit's terminal feature (risk check and confirmation), which is not available in this build. Copy the command instead.";
      void vscode.window.showWarningMessage(`AiCockpit: ${message}`);
      return { ok: false, message };
    }
    // Not awaited: the flow waits for the user's decision; the panel only needs to know it started.
    void Promise.resolve(vscode.commands.executeCommand(RUN_IN_TERMINAL_COMMAND, { command })).catch((err: unknown) => {
      void vscode.window.showErrorMessage(
        `AiCockpit: could not start the terminal flow: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return { ok: true, message: "Review the command, then run or cancel it." };
  }
}
