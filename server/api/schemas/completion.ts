/**
 * Request schemas of the completion routes: the server validates bodies with them and
 * server/api/completion.ts derives the request types from them, so a field exists in both or
 * in neither. Kept apart from the types so the extension (which imports types and constants
 * only) does not bundle zod.
 */
import { z } from "zod";
import { COMPLETION_TEMPLATE_NAMES } from "../completion";

const path = () => z.string().min(1).max(4096);

export const CompletionRequestSchema = z.object({
  /** Absolute path (or URI path) of the document. Files that look like secrets are never sent. */
  filepath: path(),
  /** VS Code language id (`typescript`, `python`, …). */
  languageId: z.string().min(1).max(100),
  /** Document text before the cursor. The backend windows it; sending the whole file is fine. */
  prefix: z.string().max(2_000_000),
  /** Document text after the cursor. */
  suffix: z.string().max(2_000_000),
  /** Other files' text for context, most relevant first; secret-looking and ignored ones are dropped. */
  snippets: z
    .array(z.object({ filepath: path(), content: z.string().max(1_000_000) }))
    .max(50)
    .optional(),
  /** `auto` (default): multi-line only on an empty line or after a block opener; never mid-line or in a line comment. */
  multiline: z.enum(["auto", "always", "never"]).optional(),
  /** Overrides the template chosen from the model name (user setting). */
  template: z.enum(COMPLETION_TEMPLATE_NAMES).optional(),
  /** Workspace root on the backend's filesystem; its `.aicockpitignore` (gitignore syntax) is honoured. */
  workspaceRoot: path().optional(),
  /** Workspace-relative path of the document; derived from `filepath` and `workspaceRoot` when absent. */
  relativePath: path().optional(),
  /** Extra ignore patterns (gitignore syntax), e.g. the ignore file as read by a remote client. */
  ignorePatterns: z.array(z.string().max(4096)).max(1000).optional(),
  /** Identity for superseding: a newer request with the same id aborts the older one. Defaults to `filepath`. */
  documentId: path().optional(),
  /** Hard limit for this request in ms (default 2500): when hit, the partial completion cleaned so far is returned. */
  timeoutMs: z.number().int().min(50).max(30_000).optional(),
});

export const CompletionFeedbackSchema = z.object({
  id: z.string().min(1).max(100),
  outcome: z.enum(["accepted", "rejected"]),
});
