/**
 * The HTML shell every bundled webview page uses: assets from dist/ only, a strict CSP with a
 * fresh nonce per load, and nothing remote. Model output is never put here; each page renders
 * it (escaped) from its own script.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

export interface WebviewPage {
  /** Base name of the bundle in dist/: `<bundle>.js` and `<bundle>.css`. */
  bundle: string;
  title: string;
  /** ARIA role and label of the page's root element. */
  role: "application" | "main";
  label: string;
  /** Allow images from the extension and data: URLs (chat renders them; others need none). */
  images?: boolean;
}

/** A fresh nonce for a page's CSP: one per load, so a cached page cannot be replayed with injected script. */
export function webviewNonce(): string {
  return randomBytes(16).toString("base64");
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = webviewNonce();
  const asset = (name: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", name)).toString();
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    ...(page.images ? [`img-src ${webview.cspSource} data:`] : []),
  ].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${asset(`${page.bundle}.css`)}">
<title>${page.title}</title>
</head>
<body>
<div id="app" role="${page.role}" aria-label="${page.label}"></div>
<script nonce="${nonce}" src="${asset(`${page.bundle}.js`)}"></script>
</body>
</html>`;
}
