/**
 * Ctrl+K edit contract: `POST /api/edit` streams `EditEvent`s as SSE (`data: <json>\n\n`).
 *
 * Line numbers are 0-based and relative to `code` (the text being edited), never to the file:
 * the client owns the mapping to document positions.
 */
import type { z } from "zod";
import type { ApiError } from "./errors";
import type { DiffRequestSchema, EditRequestSchema } from "./schemas/edit";

export type EditRequest = z.infer<typeof EditRequestSchema>;

/** A block around the target (EditRequest.enclosing), lines relative to the target's first line. */
export type EnclosingBlock = NonNullable<EditRequest["enclosing"]>[number];

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
  /**
   * Sent before any `lines` when the answer covers a block around the target (it starts with
   * that block's header): from here on the region is lines `startLine`–`endLine` (relative to
   * the old target's first line, negative = above) and every diff is against that region.
   */
  | { type: "retarget"; startLine: number; endLine: number; label: string }
  /** Final exact (Myers) diff; replaces the provisional one. `text` replaces `linePrefix + code + lineSuffix`. */
  | { type: "done"; text: string; hunks: Hunk[] }
  | { type: "error"; error: ApiError };

/** `POST /api/edit/diff`: the exact diff between code and a proposal that came from elsewhere (e.g. a chat answer). */
export type DiffRequest = z.infer<typeof DiffRequestSchema>;

export interface DiffResponse {
  hunks: Hunk[];
}
