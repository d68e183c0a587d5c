/** Request schema of `POST /api/chat`; server/api/chat.ts derives the request types from it (see schemas/completion.ts). */
import { z } from "zod";
import { ChatCodebaseSchema } from "./codebase";

export const ChatRequestSchema = z.object({
  /** Earlier turns, oldest first, then the new user message last. */
  messages: z
    .array(z.object({ role: z.enum(["user", "assistant"]), content: z.string().max(1_000_000) }))
    .min(1, "messages must hold at least the question")
    .max(500)
    .refine((m) => m.length === 0 || m[m.length - 1]?.role === "user", "the last message must be the user's")
    .refine((m) => (m[m.length - 1]?.content.trim() ?? "") !== "", "the question must not be empty"),
  /** Mentioned context for the last user message. */
  context: z
    .array(
      z.object({
        kind: z.enum(["file", "selection", "problems", "terminal", "workspace"]),
        /** What the user sees on the chip, e.g. "src/my file.ts" or "selection (app.ts:3-9)". */
        label: z.string().min(1).max(4096),
        /** Workspace-relative path, for files and selections. */
        path: z.string().max(4096).optional(),
        languageId: z.string().max(100).optional(),
        content: z.string().max(4_000_000),
        /** The client already cut this item (e.g. a huge file read only up to a cap). */
        clientTruncated: z.boolean().optional(),
        /** Size of the whole source in characters, when the client cut it. */
        originalChars: z.number().int().nonnegative().optional(),
      }),
    )
    .max(50)
    .optional(),
  model: z.string().min(1).max(200).optional(),
  /** Token budget for the mentioned context (default: server's). */
  contextBudgetTokens: z.number().int().min(100).max(1_000_000).optional(),
  /**
   * "@codebase": retrieve from this index (or this root / workspace, ensured on the fly) with
   * the user's message; the retrieved code shares `contextBudgetTokens` and a `sources` event
   * lists the files used (server/api/codebase.ts).
   */
  codebase: ChatCodebaseSchema.optional(),
});
