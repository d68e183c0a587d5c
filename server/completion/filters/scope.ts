/**
 * End of scope for multi-line completions: where the model stops completing the code around
 * the cursor and starts writing something else (a Python `def` followed by a stray top-level
 * call, a second function after the one asked for). Judged by indentation, which every
 * language has in practice and which needs no grammar:
 *
 * - The start line is the cursor's line with the completion's first line, or the first
 *   non-blank line the completion writes. Its indentation is the base.
 * - A line indented less than the base leaves the cursor's scope: a closer there (`}`, `end`,
 *   `</div>` alone on its line) is kept (the suffix-closer filter drops it if the file
 *   already has it), and the completion ends; any other line is cut.
 * - When the cursor's own line opens a block (`for x in xs│`, `def total(self):│`) or the
 *   completion starts with a definition (`def`, `class`, `function`, `fn`…), the completion
 *   ends with that block: at the base indentation a closer is kept, `else`/`except`/… go on,
 *   anything else is cut.
 * - Where a grammar is bundled, the parse tree says where the cursor line's statement starts
 *   (server/syntax/statement.ts): on a wrapped call's second line, in a method chain or at
 *   the end of a multi-line signature, the base is that first line's indentation, not the
 *   cursor line's. Without it, `discount int) int {` (Go) or `items):` (Python) took the
 *   continuation's deep indentation for the scope and cut the body they open.
 */
import { BLOCK_OPENER, CONTINUATION, closerOnly, indentOf, lineOffsets, width } from "./lines";

export interface ScopeInput {
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  languageId: string;
  /** Indentation of the first line of the statement the cursor's line continues (from the parse tree). */
  statementIndent?: string;
}

const DEFINITION =
  /^(?:export\s+)?(?:default\s+)?(?:pub(?:\([\w\s]+\))?\s+)?(?:async\s+)?(?:def|class|function\*?|fn|func|interface|struct|enum|impl|trait|module)\b/;

/** Prose has no scope to leave. */
const NO_SCOPE = new Set(["markdown", "plaintext", "text", "restructuredtext", "latex"]);

/** Offset in `text` where the completion leaves the cursor's scope, or -1. `lines` = the complete lines judged so far. */
export function scopeEndCut(text: string, lines: readonly string[], input: ScopeInput): number {
  if (NO_SCOPE.has(input.languageId) || lines.length < 2) return -1;
  const offsets = lineOffsets(lines);
  const cursorHasCode = input.linePrefix.trim() !== "";
  let start = 0;
  let startLine = input.linePrefix + lines[0];
  if (startLine.trim() === "") {
    start = lines.findIndex((l, i) => i > 0 && l.trim() !== "");
    if (start === -1) return -1;
    startLine = lines[start]!;
  }
  const base = width(start === 0 && input.statementIndent !== undefined ? input.statementIndent : indentOf(startLine));
  const startCode = startLine.trim();
  const ownBlock = BLOCK_OPENER.test(startCode) && ((cursorHasCode && start === 0) || DEFINITION.test(startCode));
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!;
    const code = line.trim();
    if (code === "") continue;
    // One column either way is a model's off-by-one, fixed later (indentation.ts), not a scope change.
    const w = width(indentOf(line));
    if (w > base + 1) continue;
    const atBase = w >= base - 1;
    if (!atBase || (ownBlock && w <= base)) {
      if (atBase && CONTINUATION.test(code)) continue;
      if (closerOnly(code)) return Math.min(text.length, offsets[i]! + line.length);
      return Math.max(0, offsets[i]! - 1);
    }
  }
  return -1;
}
