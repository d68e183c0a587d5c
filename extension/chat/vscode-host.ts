/** `MentionHost` over the VS Code API: files, the last editor's selection, diagnostics, terminal output. */
import { open } from "node:fs/promises";
import * as vscode from "vscode";
import type { FileHead, MentionHost, ProblemInfo, SelectionInfo, WorkspaceSnapshot } from "./resolve";
import type { ChatWorkspaces } from "./workspaces";
import type { CodebaseTarget } from "../codebase/target";
import type { TerminalOutput } from "./terminal-output";
import type { WorkspaceFiles } from "./workspace-files";

const SEVERITY: Record<vscode.DiagnosticSeverity, ProblemInfo["severity"]> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "info",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

async function readHeadOf(uri: vscode.Uri, maxBytes: number): Promise<FileHead | undefined> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    return undefined;
  }
  if ((stat.type & vscode.FileType.File) === 0) return undefined;
  // A local file is read only up to the cap: a 2 GB log must not be loaded to send 240 KB.
  if (uri.scheme === "file") {
    const fh = await open(uri.fsPath, "r");
    try {
      const buf = Buffer.alloc(Math.min(maxBytes, stat.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, bytesRead), size: stat.size };
    } finally {
      await fh.close();
    }
  }
  const all = await vscode.workspace.fs.readFile(uri);
  return { bytes: all.subarray(0, maxBytes), size: all.length };
}

export class VsCodeMentionHost implements MentionHost {
  constructor(
    private readonly files: WorkspaceFiles,
    private readonly terminals: TerminalOutput,
    /** The editor the user worked in last (the chat view has focus while they type). */
    private readonly lastEditor: () => vscode.TextEditor | undefined,
    private readonly workspaces: ChatWorkspaces,
    private readonly codebaseTarget: () => CodebaseTarget | { error: string },
  ) {}

  codebase(): CodebaseTarget | { error: string } {
    return this.codebaseTarget();
  }

  workspace(name: string | undefined): Promise<WorkspaceSnapshot | { error: string }> {
    return this.workspaces.snapshot(name);
  }

  async readHead(path: string, maxBytes: number): Promise<FileHead | undefined> {
    const root = this.files.root();
    if (!root) return undefined;
    return readHeadOf(vscode.Uri.joinPath(root, path), maxBytes);
  }

  isIgnored(path: string): Promise<boolean> {
    return this.files.isIgnored(path);
  }

  languageOf(path: string): string {
    const open = vscode.workspace.textDocuments.find((d) => vscode.workspace.asRelativePath(d.uri, false) === path);
    if (open) return open.languageId;
    const ext = /\.([^./]+)$/.exec(path)?.[1] ?? "";
    return ext;
  }

  selection(): SelectionInfo | undefined {
    const ed = this.lastEditor();
    if (!ed || ed.selection.isEmpty) return undefined;
    const sel = ed.selection;
    return {
      path: vscode.workspace.asRelativePath(ed.document.uri, false),
      languageId: ed.document.languageId,
      text: ed.document.getText(sel),
      startLine: sel.start.line + 1,
      endLine: sel.end.character === 0 && sel.end.line > sel.start.line ? sel.end.line : sel.end.line + 1,
    };
  }

  problems(): ProblemInfo[] {
    const out: ProblemInfo[] = [];
    for (const [uri, diags] of vscode.languages.getDiagnostics()) {
      for (const d of diags) {
        out.push({
          path: vscode.workspace.asRelativePath(uri, false),
          line: d.range.start.line + 1,
          column: d.range.start.character + 1,
          severity: SEVERITY[d.severity],
          message: d.message,
          ...(d.source ? { source: d.source } : {}),
        });
      }
    }
    // Errors first: with a cap on the count, they are what matters.
    const rank = { error: 0, warning: 1, info: 2, hint: 3 };
    return out.sort((a, b) => rank[a.severity] - rank[b.severity]);
  }

  terminal(): { name: string; text: string } | undefined {
    return this.terminals.recent();
  }
}
