/** `POST /api/code/target`: the blocks around a cursor or selection, from the document's parse tree. */
import type { CodeScope, CodeTargetRequest, CodeTargetResponse } from "../api/code";
import { parse } from "./parse";
import { describeScope, scopesAt } from "./scope";

export async function codeTarget(req: CodeTargetRequest, signal?: AbortSignal): Promise<CodeTargetResponse> {
  const st = await parse(req.languageId, req.text, {
    ...(req.uri !== undefined ? { uri: req.uri } : {}),
    ...(req.version !== undefined ? { version: req.version } : {}),
    ...(req.filepath !== undefined ? { filename: req.filepath } : {}),
    ...(signal ? { signal } : {}),
  });
  if (!st) return { grammar: null, scopes: [] };
  let scopes = scopesAt(st, req.offset);
  if (req.endOffset !== undefined && req.endOffset > req.offset) {
    const first = lineOf(req.text, req.offset);
    // A selection ending at column 0 ends on the line before.
    const endAt = req.text[req.endOffset - 1] === "\n" ? req.endOffset - 1 : req.endOffset;
    const last = lineOf(req.text, endAt);
    scopes = scopes.filter((s) => s.startLine <= first && s.endLine >= last);
  }
  return {
    grammar: st.grammar,
    scopes: scopes.map((s): CodeScope => ({
      kind: s.kind,
      name: s.name,
      startLine: s.startLine,
      endLine: s.endLine,
      headerLine: s.headerLine,
      label: describeScope(s),
    })),
  };
}

function lineOf(text: string, offset: number): number {
  let row = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) row++;
  return row;
}
