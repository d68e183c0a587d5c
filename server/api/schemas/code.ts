/** Request schemas of the code-understanding routes; server/api/code.ts derives the request types from them. */
import { z } from "zod";

/** Above this a document is not parsed (server/syntax/parse.ts MAX_PARSE_CHARS); the client falls back. */
export const MAX_CODE_TEXT_CHARS = 4_000_000;

export const CodeTargetRequestSchema = z
  .object({
    /** VS Code's language id (`python`, `typescriptreact`…); with `filepath` it picks the grammar. */
    languageId: z.string().min(1).max(100),
    /** File name or path: picks the grammar when the language id names none (e.g. `plaintext`). */
    filepath: z.string().max(4096).optional(),
    /** Cache key of the document (its URI) and its version: the same version is not parsed again. */
    uri: z.string().min(1).max(8192).optional(),
    version: z.number().int().min(0).optional(),
    text: z.string().max(MAX_CODE_TEXT_CHARS),
    /** The cursor (or the selection's start), as a UTF-16 offset into `text`. */
    offset: z.number().int().min(0),
    /** The selection's end: then only blocks holding the whole selection are returned. */
    endOffset: z.number().int().min(0).optional(),
  })
  .refine((b) => b.offset <= b.text.length && (b.endOffset ?? b.offset) <= b.text.length, {
    message: "offset and endOffset must lie within text",
  })
  .refine((b) => b.endOffset === undefined || b.endOffset >= b.offset, {
    message: "endOffset must not be before offset",
  });
