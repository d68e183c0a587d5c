/**
 * What Ctrl+K edits: the selection exactly (mid-line starts/ends included), or without a
 * selection the innermost function/class/block around the cursor, or else the line.
 */
import * as vscode from "vscode";

export interface EditTarget {
  /** First and last document line shown in the diff region. */
  startLine: number;
  endLine: number;
  code: string;
  linePrefix: string;
  lineSuffix: string;
  /** Whether the region includes the final line break (selection ended at column 0). */
  trailingEol: boolean;
  /** For the prompt UI: "selection (lines 3–9)", "function total (lines 3–9)", "line 5". */
  label: string;
}

function lines(a: number, b: number): string {
  return a === b ? `line ${a + 1}` : `lines ${a + 1}–${b + 1}`;
}

export async function findTarget(editor: vscode.TextEditor): Promise<EditTarget> {
  const doc = editor.document;
  const sel = editor.selection;
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
    };
  }
  const block = await enclosingSymbol(doc, sel.active);
  const [startLine, endLine, what] = block ?? [sel.active.line, sel.active.line, "line"];
  const range = new vscode.Range(startLine, 0, endLine, doc.lineAt(endLine).text.length);
  return {
    startLine,
    endLine,
    code: doc.getText(range),
    linePrefix: "",
    lineSuffix: "",
    trailingEol: false,
    label: what === "line" ? lines(startLine, endLine) : `${what} (${lines(startLine, endLine)})`,
  };
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
  return [
    best.range.start.line,
    best.range.end.line,
    `${(vscode.SymbolKind[best.kind] ?? "symbol").toLowerCase()} ${best.name}`,
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
