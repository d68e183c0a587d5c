/**
 * Snippets from other places for the completion prompt, gathered through the VS Code API:
 * recently edited ranges, imported local modules, visible editors and other open tabs of
 * the same language. Each source has its own time box and is left out when late; every
 * snippet passes the secret-file, private-key and `.aicockpitignore` checks here, before
 * it leaves the extension (the backend checks again).
 */
import * as vscode from "vscode";
import type { CompletionSnippet } from "../../server/api/completion";
import { timeBoxed } from "../../common/time-boxed";
import { IGNORE_FILE, IgnoreMatcher } from "../../common/ignore";
import { containsPrivateKey, isSecretPath } from "../../common/secrets";
import { candidatePaths, importSpecifiers } from "./imports";
import { RecentEdits, regionText } from "./recent-edits";

export const SOURCE_TIME_BOX_MS = 50;
const MAX_SNIPPET_CHARS = 2_000;
const MAX_TOTAL_CHARS = 8_000;
const MAX_IMPORTS = 3;
const MAX_TABS = 3;

/** What the backend calls `filepath`: a file system path for local files, the URI otherwise. */
export function uriPath(uri: vscode.Uri): string {
  return uri.scheme === "file" ? uri.fsPath : uri.toString();
}

export function docPath(doc: vscode.TextDocument): string {
  return uriPath(doc.uri);
}

export function workspaceRootOf(doc: vscode.TextDocument): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.getWorkspaceFolder(doc.uri) ?? vscode.workspace.workspaceFolders?.[0];
}

export class CompletionContext implements vscode.Disposable {
  readonly recent = new RecentEdits();
  private ignore = new Map<string, Promise<IgnoreMatcher>>();
  private readonly subs: vscode.Disposable[] = [];

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${IGNORE_FILE}`);
    const drop = () => (this.ignore = new Map());
    this.subs.push(
      watcher,
      watcher.onDidChange(drop),
      watcher.onDidCreate(drop),
      watcher.onDidDelete(drop),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.scheme === "output") return;
        for (const c of e.contentChanges) {
          const added = c.text.split("\n").length - 1;
          this.recent.record(
            e.document.uri.toString(),
            docPath(e.document),
            c.range.start.line,
            c.range.start.line + added,
          );
        }
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.recent.forget(d.uri.toString())),
    );
  }

  dispose(): void {
    this.subs.forEach((d) => d.dispose());
  }

  /** The workspace's `.aicockpitignore` rules (cached until the file changes). */
  ignoreFor(folder: vscode.WorkspaceFolder | undefined): Promise<IgnoreMatcher> {
    if (!folder) return Promise.resolve(new IgnoreMatcher(""));
    const key = folder.uri.toString();
    let m = this.ignore.get(key);
    if (!m) {
      m = Promise.resolve(vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, IGNORE_FILE))).then(
        (b) => new IgnoreMatcher(new TextDecoder().decode(b)),
        () => new IgnoreMatcher(""),
      );
      this.ignore.set(key, m);
    }
    return m;
  }

  /** True when `uri` must never be sent: secret-looking name or ignored by the workspace. */
  excluded(uri: vscode.Uri, ignore: IgnoreMatcher): boolean {
    if (isSecretPath(uri.path)) return true;
    if (ignore.empty) return false;
    const rel = vscode.workspace.asRelativePath(uri, false);
    return rel !== uri.fsPath && ignore.ignores(rel);
  }

  /** Snippets for a completion at `pos` in `doc`, most relevant first; never slower than one time box. */
  async snippets(doc: vscode.TextDocument, pos: vscode.Position, ignore: IgnoreMatcher): Promise<CompletionSnippet[]> {
    const [edits, imports, open] = await Promise.all([
      timeBoxed(Promise.resolve(this.fromRecentEdits(doc, pos, ignore)), SOURCE_TIME_BOX_MS, []),
      timeBoxed(this.fromImports(doc, ignore), SOURCE_TIME_BOX_MS, []),
      timeBoxed(Promise.resolve(this.fromOpenFiles(doc, ignore)), SOURCE_TIME_BOX_MS, []),
    ]);
    const out: CompletionSnippet[] = [];
    const seen = new Set<string>();
    let total = 0;
    for (const s of [...edits, ...imports, ...open]) {
      const content = s.content.slice(0, MAX_SNIPPET_CHARS);
      const key = `${s.filepath}\n${content}`;
      if (seen.has(key) || content.trim() === "" || containsPrivateKey(content)) continue;
      if (total + content.length > MAX_TOTAL_CHARS) break;
      seen.add(key);
      total += content.length;
      out.push({ filepath: s.filepath, content });
    }
    return out;
  }

  private fromRecentEdits(doc: vscode.TextDocument, pos: vscode.Position, ignore: IgnoreMatcher): CompletionSnippet[] {
    const out: CompletionSnippet[] = [];
    for (const r of this.recent.relevant(doc.uri.toString(), pos.line)) {
      const other = vscode.workspace.textDocuments.find((d) => d.uri.toString() === r.docId);
      if (!other || this.excluded(other.uri, ignore)) continue;
      out.push({ filepath: r.filepath, content: regionText(other.getText(), r) });
    }
    return out;
  }

  private async fromImports(doc: vscode.TextDocument, ignore: IgnoreMatcher): Promise<CompletionSnippet[]> {
    if (doc.uri.scheme !== "file") return [];
    const out: CompletionSnippet[] = [];
    for (const spec of importSpecifiers(doc.getText(), doc.languageId).slice(0, MAX_IMPORTS * 2)) {
      if (out.length >= MAX_IMPORTS) break;
      for (const p of candidatePaths(doc.uri.path, spec, doc.languageId)) {
        const uri = doc.uri.with({ path: p });
        if (this.excluded(uri, ignore)) break;
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const text = open ? open.getText() : await readText(uri);
        if (text === undefined) continue;
        out.push({ filepath: uriPath(uri), content: text.slice(0, MAX_SNIPPET_CHARS) });
        break;
      }
    }
    return out;
  }

  private fromOpenFiles(doc: vscode.TextDocument, ignore: IgnoreMatcher): CompletionSnippet[] {
    const self = doc.uri.toString();
    const out: CompletionSnippet[] = [];
    const seen = new Set<string>([self]);
    // Visible editors first, the part the user is looking at.
    for (const ed of vscode.window.visibleTextEditors) {
      const d = ed.document;
      if (seen.has(d.uri.toString()) || d.uri.scheme === "output" || this.excluded(d.uri, ignore)) continue;
      seen.add(d.uri.toString());
      const range = ed.visibleRanges[0];
      out.push({ filepath: docPath(d), content: range ? d.getText(range) : d.getText() });
    }
    // Then other tabs of the same language, from the top.
    let tabs = 0;
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tabs >= MAX_TABS) return out;
        if (!(tab.input instanceof vscode.TabInputText)) continue;
        const key = tab.input.uri.toString();
        if (seen.has(key)) continue;
        const d = vscode.workspace.textDocuments.find((x) => x.uri.toString() === key);
        if (!d || d.languageId !== doc.languageId || this.excluded(d.uri, ignore)) continue;
        seen.add(key);
        tabs++;
        out.push({ filepath: docPath(d), content: d.getText().slice(0, MAX_SNIPPET_CHARS) });
      }
    }
    return out;
  }
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    // A large or binary file is not a useful snippet.
    if (bytes.byteLength > 200_000 || bytes.includes(0)) return undefined;
    return new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
}
