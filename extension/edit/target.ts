/**
 * What Ctrl+K edits: the selection exactly (mid-line starts/ends included), or without a
 * selection the innermost function/method/class/block around the cursor, or else the line.
 *
 * The block comes from the backend's parser (`POST /api/code/target`, tree-sitter), which
 * needs no language server: most files have none installed, or not yet started. Document
 * symbols from a language server are the fallback for languages without a bundled grammar.
 */
import * as vscode from "vscode";
import type { CodeScope, CodeTargetResponse } from "../../server/api/code";
import type { EnclosingBlock } from "../../server/api/edit";
import type { BackendClient } from "../backend/client";

export interface EditTarget {
  /** First and last document line shown in the diff region. */
  startLine: number;
  endLine: number;
  code: string;
  linePrefix: string;
  lineSuffix: string;
  /** Whether the region includes the final line break (selection ended at column 0). */
  trailingEol: boolean;
  /** For the prompt UI: "selection (lines 3–9)", "method total (lines 3–9)", "line 5". */
  label: string;
  /** Where a cursor target came from: the backend's parser, a language server's symbols, or just the line. */
  source?: "parser" | "symbols" | "line";
  /** Blocks around the target, lines relative to `startLine` (see EditRequest.enclosing). */
  enclosing?: EnclosingBlock[];
}

/** The slice of the backend client target-finding needs. */
export type TargetBackend = Pick<BackendClient, "call">;

/**
 * A warm parser answers in milliseconds; a cold one loads its grammar first (0.1–2 s on a
 * loaded machine), which warmParser() does ahead of time. A busy or restarting backend
 * must not hold up the prompt for longer than this.
 */
const PARSE_TIMEOUT_MS = 2_500;

const warmed = new Set<string>();

/**
 * Loads the grammar for this document's language in the backend (an empty parse), once per
 * language: called when an editor becomes active, so the first Ctrl+K finds it loaded.
 */
export function warmParser(backend: TargetBackend, doc: vscode.TextDocument): void {
  const key = `${doc.languageId}:${/\.[^./]*$/.exec(doc.uri.path)?.[0] ?? ""}`;
  if (warmed.has(key) || doc.uri.scheme === "output") return;
  warmed.add(key);
  backend
    .call("POST /api/code/target", {
      body: { languageId: doc.languageId, filepath: doc.uri.path, text: "", offset: 0 },
      timeoutMs: 30_000,
    })
    .catch(() => warmed.delete(key)); // e.g. the backend restarting: the next activation tries again
}

function lines(a: number, b: number): string {
  return a === b ? `line ${a + 1}` : `lines ${a + 1}–${b + 1}`;
}

export async function findTarget(editor: vscode.TextEditor, backend?: TargetBackend): Promise<EditTarget> {
  const doc = editor.document;
  const sel = editor.selection;
  const parsed = backend ? await parsedScopes(backend, doc, sel) : undefined;
  if (!sel.isEmpty) {
    // A selection ending at column 0 of a line means "up to the end of the previous line".
    const endsAtLineStart = sel.end.character === 0 && sel.end.line > sel.start.line;
    const lastLine = endsAtLineStart ? sel.end.line - 1 : sel.end.line;
    const startLine = sel.start.line;
    const linePrefix = doc.lineAt(startLine).text.slice(0, sel.start.character);
    const lineSuffix = endsAtLineStart ? "" : doc.lineAt(lastLine).text.slice(sel.end.character);
    return {
      startLine,
      endLine: lastLine,
      code: doc.getText(sel),
      linePrefix,
      lineSuffix,
      trailingEol: endsAtLineStart,
      label: `selection (${lines(startLine, lastLine)})`,
      ...(parsed ? { enclosing: relativeTo(startLine, parsed) } : {}),
    };
  }
  const innermost = parsed?.[0];
  const block = innermost
    ? ([innermost.startLine, innermost.endLine, innermost.label] as const)
    : await enclosingSymbol(doc, sel.active);
  const [startLine, endLine] = block ?? [sel.active.line, sel.active.line];
  const range = new vscode.Range(startLine, 0, endLine, doc.lineAt(endLine).text.length);
  return {
    startLine,
    endLine,
    code: doc.getText(range),
    linePrefix: "",
    lineSuffix: "",
    trailingEol: false,
    label: block ? block[2] : lines(startLine, endLine),
    source: innermost ? "parser" : block ? "symbols" : "line",
    ...(parsed ? { enclosing: relativeTo(startLine, parsed) } : {}),
  };
}

/** The parser's blocks around the cursor (or holding the selection); undefined when it could not say. */
async function parsedScopes(
  backend: TargetBackend,
  doc: vscode.TextDocument,
  sel: vscode.Selection,
): Promise<CodeScope[] | undefined> {
  const text = doc.getText();
  try {
    const res: CodeTargetResponse = await backend.call("POST /api/code/target", {
      body: {
        languageId: doc.languageId,
        filepath: doc.uri.path,
        uri: doc.uri.toString(),
        version: doc.version,
        text,
        offset: doc.offsetAt(sel.start),
        ...(sel.isEmpty ? {} : { endOffset: doc.offsetAt(sel.end) }),
      },
      timeoutMs: PARSE_TIMEOUT_MS,
    });
    return res.grammar === null ? undefined : res.scopes;
  } catch {
    return undefined;
  }
}

function relativeTo(line: number, scopes: readonly CodeScope[]): EnclosingBlock[] {
  return scopes.map((s) => ({
    startLine: s.startLine - line,
    endLine: s.endLine - line,
    headerLine: s.headerLine - line,
    label: s.label,
  }));
}

const BLOCK_KINDS = new Set([
  vscode.SymbolKind.Function,
  vscode.SymbolKind.Method,
  vscode.SymbolKind.Constructor,
  vscode.SymbolKind.Class,
  vscode.SymbolKind.Interface,
  vscode.SymbolKind.Enum,
  vscode.SymbolKind.Struct,
]);

async function enclosingSymbol(
  doc: vscode.TextDocument,
  pos: vscode.Position,
): Promise<[number, number, string] | undefined> {
  let symbols: vscode.DocumentSymbol[] | undefined;
  try {
    // Language servers may be slow or absent; never let that block the prompt for long.
    symbols = await Promise.race([
      vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>(
        "vscode.executeDocumentSymbolProvider",
        doc.uri,
      ),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 750)),
    ]);
  } catch {
    symbols = undefined;
  }
  let best: vscode.DocumentSymbol | undefined;
  const visit = (list: readonly vscode.DocumentSymbol[] | undefined) => {
    for (const s of list ?? []) {
      if (!("range" in s) || !s.range.contains(pos)) continue;
      if (BLOCK_KINDS.has(s.kind)) best = s;
      visit(s.children);
    }
  };
  visit(symbols);
  if (!best) return undefined;
  const [start, end] = [best.range.start.line, best.range.end.line];
  return [
    start,
    end,
    `${(vscode.SymbolKind[best.kind] ?? "symbol").toLowerCase()} ${best.name} (${lines(start, end)})`,
  ];
}

/** The whole document as an edit target (e.g. applying a chat answer with nothing selected). */
export function wholeDocument(doc: vscode.TextDocument): EditTarget {
  const text = doc.getText();
  const trailingEol = /\r?\n$/.test(text);
  const endLine = trailingEol ? doc.lineCount - 2 : doc.lineCount - 1;
  return {
    startLine: 0,
    endLine: Math.max(0, endLine),
    code: text,
    linePrefix: "",
    lineSuffix: "",
    trailingEol,
    label: `whole file (${lines(0, Math.max(0, endLine))})`,
  };
}
