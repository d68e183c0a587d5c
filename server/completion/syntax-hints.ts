/**
 * What the parse tree tells completion about the cursor's place, where a grammar is bundled
 * (server/syntax): today, where the statement the cursor's line continues starts, which the
 * end-of-scope filter measures from. Everything here is optional: without a grammar, or when
 * the parse does not finish within the engine's time box, postprocessing judges by
 * indentation alone.
 */
import { parse } from "../syntax/parse";
import { statementStartRow } from "../syntax/statement";

export interface SyntaxHints {
  /** Indentation of the first line of the statement the cursor's line continues (wrapped call, multi-line signature). */
  statementIndent?: string;
}

export interface HintInput {
  languageId: string;
  prefix: string;
  suffix: string;
  /** Cache key of the document's parse tree (the next keystroke re-parses incrementally). */
  uri?: string;
  filename?: string;
  signal?: AbortSignal;
}

export async function syntaxHints(input: HintInput): Promise<SyntaxHints> {
  const lineStart = input.prefix.lastIndexOf("\n") + 1;
  // A cursor line with no code, or the document's first line, continues nothing.
  if (lineStart === 0 || input.prefix.slice(lineStart).trim() === "") return {};
  const st = await parse(input.languageId, input.prefix + input.suffix, {
    ...(input.uri !== undefined ? { uri: input.uri } : {}),
    ...(input.filename !== undefined ? { filename: input.filename } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  if (!st) return {};
  const row = statementStartRow(st, input.prefix.length);
  if (row === undefined) return {};
  // The statement starts on an earlier line of the prefix: find that line's indentation.
  let at = lineStart;
  let r = rowsBefore(input.prefix, lineStart);
  while (r > row) {
    at = input.prefix.lastIndexOf("\n", at - 2) + 1;
    r--;
  }
  return { statementIndent: /^[ \t]*/.exec(input.prefix.slice(at))![0] };
}

function rowsBefore(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
