/** Request schemas of the edit routes; server/api/edit.ts derives the request types from them (see schemas/completion.ts). */
import { z } from "zod";

export const EditRequestSchema = z.object({
  filepath: z.string().min(1).max(4096),
  languageId: z.string().min(1).max(100),
  instruction: z.string().trim().min(1, "instruction must not be empty").max(20_000),
  /** The exact text to rewrite (selection, or the block the client chose), EOLs included. */
  code: z.string().max(1_000_000),
  /**
   * For a selection that starts or ends mid-line: the rest of the first and last line.
   * The model rewrites only `code`; diffs are reported over whole lines
   * (`linePrefix + code + lineSuffix`), so line 0 of the diff is the selection's first line.
   */
  linePrefix: z.string().max(100_000).optional(),
  lineSuffix: z.string().max(100_000).optional(),
  /** Read-only context above and below `code`, shown to the model but never edited. */
  before: z.string().max(1_000_000).optional(),
  after: z.string().max(1_000_000).optional(),
  /**
   * Earlier rounds of this same pending edit, oldest first. A follow-up instruction refines
   * the last `result` instead of starting over from `code`.
   */
  previous: z
    .array(z.object({ instruction: z.string().max(20_000), result: z.string().max(1_000_000) }))
    .max(20)
    .optional(),
  model: z.string().min(1).max(200).optional(),
  /**
   * The named blocks around the target, innermost first, lines relative to the target's first
   * line (negative = above): an answer that starts at one of their headers is re-aligned to
   * that block instead of being applied to the target (a duplicated header). From
   * `POST /api/code/target`; without it answers are applied to the target as they are.
   */
  enclosing: z
    .array(
      z.object({
        startLine: z.number().int().min(-10_000_000).max(10_000_000),
        endLine: z.number().int().min(-10_000_000).max(10_000_000),
        headerLine: z.number().int().min(-10_000_000).max(10_000_000),
        label: z.string().max(300),
      }),
    )
    .max(64)
    .optional(),
});

/**
 * Diff input caps: past them a diff is refused with a message naming the limit (the diff
 * itself is bounded too, see server/edit/hunks.ts, but parsing and splitting are not free).
 */
export const MAX_DIFF_CHARS = 1_000_000;
export const MAX_DIFF_LINES = 50_000;
const tooLong = `at most ${MAX_DIFF_CHARS.toLocaleString("en-US")} characters`;

/** `POST /api/edit/diff`: the exact diff between code and a proposal that came from elsewhere (e.g. a chat answer). */
export const DiffRequestSchema = z.object({
  code: z.string().max(MAX_DIFF_CHARS, tooLong),
  proposed: z.string().max(MAX_DIFF_CHARS, tooLong),
});
