/**
 * Read-only editors for container output (`aicockpit-remote:` URIs): "Ask a Container"
 * results and followed logs. Read-only virtual documents, so closing one never asks to
 * save; each is capped so a chatty container cannot grow an editor without bound.
 */
import * as vscode from "vscode";

export const REMOTE_SCHEME = "aicockpit-remote";
/** Per document; older text is dropped from the top when a followed log grows past it. */
export const MAX_DOCUMENT_CHARS = 2 * 1024 * 1024;

export class RemoteDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private seq = 0;

  /** A fresh URI whose file name (the tab's title) says what it shows, e.g. `/rig/app: docker logs`. */
  uri(host: string, name: string): vscode.Uri {
    return vscode.Uri.from({ scheme: REMOTE_SCHEME, path: `/${host}/${name}`, query: String(++this.seq) });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text.length > MAX_DOCUMENT_CHARS ? text.slice(-MAX_DOCUMENT_CHARS) : text);
    this.changed.fire(uri);
  }

  append(uri: vscode.Uri, text: string): void {
    this.set(uri, (this.texts.get(uri.toString()) ?? "") + text);
  }

  text(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? "";
  }

  forget(uri: vscode.Uri): void {
    this.texts.delete(uri.toString());
  }

  async show(uri: vscode.Uri): Promise<vscode.TextEditor> {
    const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), "log");
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}

/** True while an editor tab shows this URI (closing the tab is when following stops). */
export function isOpenInTab(uri: vscode.Uri): boolean {
  const key = uri.toString();
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key),
  );
}
