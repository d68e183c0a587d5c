/**
 * Opens a Sources row of an @codebase answer: the file under the window's folder (the codebase
 * the answer searched), its lines selected and centred. Paths were checked by `isChatSource`
 * (relative, no `..`), so nothing outside the folder opens.
 */
import * as vscode from "vscode";
import type { ActionResult, ChatSource } from "../../webview-ui/protocol";
import { e2eReport } from "../e2e-report";

export async function openSource(source: ChatSource): Promise<ActionResult> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return { ok: false, message: "Open the folder the answer searched to open its files." };
  const uri = vscode.Uri.joinPath(folder.uri, ...source.path.split("/"));
  let doc: vscode.TextDocument;
  try {
    doc = await vscode.workspace.openTextDocument(uri);
  } catch {
    return { ok: false, message: `${source.path} no longer exists in this folder.` };
  }
  const last = Math.max(0, doc.lineCount - 1);
  const start = Math.min(source.startLine - 1, last);
  const end = Math.min(source.endLine - 1, last);
  const range = new vscode.Range(start, 0, end, doc.lineAt(end).text.length);
  // Like "Go to Reference": the lines the answer used are selected and in view.
  const editor = await vscode.window.showTextDocument(doc, {
    preview: true,
    // The chat stays beside the code it talks about.
    viewColumn: vscode.ViewColumn.Active,
    selection: range,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  e2eReport("chat-source-selection", {
    path: source.path,
    startLine: editor.selection.start.line + 1,
    endLine: editor.selection.end.line + 1,
  });
  return { ok: true };
}
