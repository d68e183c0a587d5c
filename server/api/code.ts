/**
 * Code understanding from the backend's parser (tree-sitter), for editors without a
 * language server for the file: `POST /api/code/target` names the blocks around a cursor.
 * Lines are 0-based document lines.
 */
import type { z } from "zod";
import type { CodeTargetRequestSchema } from "./schemas/code";

export type CodeTargetRequest = z.infer<typeof CodeTargetRequestSchema>;

export interface CodeScope {
  /** `function`, `method`, `class`, `closure`, `block` (JSON/YAML)… see server/syntax/scope-kinds.ts. */
  kind: string;
  /** As written (`total`, `impl Display for Cart`); "" when anonymous. */
  name: string;
  /** First and last line, decorators/attributes included (and the comments above, when the cursor is on them). */
  startLine: number;
  endLine: number;
  /** The definition's own first line (`def total(self):`), after its decorators. */
  headerLine: number;
  /** "method total (lines 5–9)", for prompts and the UI (1-based lines). */
  label: string;
}

export interface CodeTargetResponse {
  /** The grammar that parsed the text; null when none fits (then `scopes` is empty). */
  grammar: string | null;
  /** The blocks around the cursor (or holding the whole selection), innermost first. */
  scopes: CodeScope[];
}
