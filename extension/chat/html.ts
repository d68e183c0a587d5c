/** The chat panel's page: the shared webview shell with the chat bundle (images allowed for rendered markdown). */
import type * as vscode from "vscode";
import { webviewHtml } from "../webview-html";

export function chatHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  return webviewHtml(webview, extensionUri, {
    bundle: "webview",
    title: "AiCockpit Chat",
    role: "application",
    label: "AiCockpit chat",
    images: true,
  });
}
