/**
 * Ctrl+K edit contract: `POST /api/edit` streams `EditEvent`s as SSE (`data: <json>\n\n`).
 *
 * Line numbers are 0-based and relative to `code` (the text being edited), never to the file:
 * the client owns the mapping to document positions.
 */
import type { ApiError } from "./errors";

export interface EditRequest {
  filepath: string;
  languageId: string;
  instruction: string;
  /** The exact text to rewrite (selection, or the block the client chose), EOLs included. */
  code: string;
  /**
   * For a selection that starts or ends mid-line: the rest of the first and last line.
   * The model rewrites only `code`; diffs are reported over whole lines
   * (`linePrefix + code + lineSuffix`), so line 0 of the diff is the selection's first line.
   */
  linePrefix?: string;
  lineSuffix?: string;
  /** Read-only context above and below `code`, shown to the model but never edited. */
  before?: string;
  after?: string;
  /**
   * Earlier rounds of this same pending edit, oldest first. A follow-up instruction refines
   * the last `result` instead of starting over from `code`.
   */
  previous?: { instruction: string; result: string }[];
  model?: string;
}

export type DiffLineKind = "same" | "added" | "removed";

export interface DiffLine {
  kind: DiffLineKind;
  text: string;
}

/** A contiguous change: `oldLines` at `oldStart` (whole lines, see `linePrefix`) become `newLines` at `newStart` in the result. */
export interface Hunk {
  oldStart: number;
  oldLines: string[];
  newStart: number;
  newLines: string[];
}

export type EditEvent =
  /** Lines appended to the provisional diff as the model streams (greedy, never revised). */
  | { type: "lines"; lines: DiffLine[] }
  /** Final exact (Myers) diff; replaces the provisional one. `text` replaces `linePrefix + code + lineSuffix`. */
  | { type: "done"; text: string; hunks: Hunk[] }
  | { type: "error"; error: ApiError };

/** `POST /api/edit/diff`: the exact diff between code and a proposal that came from elsewhere (e.g. a chat answer). */
export interface DiffRequest {
  code: string;
  proposed: string;
}

export interface DiffResponse {
  hunks: Hunk[];
}
