/** `POST /api/chat`: streams ChatEvents (see server/api/chat.ts) as SSE. */
import { Router } from "express";
import { z } from "zod";
import type { AppContext } from "../../context";
import type { ChatEvent, ChatRequest } from "../../api/chat";
import { runChat } from "../../chat/session";
import { parseBody } from "../validate";
import { streamEvents } from "../sse";

export const ChatRequestSchema = z.object({
  messages: z
    .array(z.object({ role: z.enum(["user", "assistant"]), content: z.string().max(1_000_000) }))
    .min(1, "messages must hold at least the question")
    .max(500)
    .refine((m) => m.length === 0 || m[m.length - 1]?.role === "user", "the last message must be the user's")
    .refine((m) => (m[m.length - 1]?.content.trim() ?? "") !== "", "the question must not be empty"),
  context: z
    .array(
      z.object({
        kind: z.enum(["file", "selection", "problems", "terminal", "workspace"]),
        label: z.string().min(1).max(4096),
        path: z.string().max(4096).optional(),
        languageId: z.string().max(100).optional(),
        content: z.string().max(4_000_000),
        clientTruncated: z.boolean().optional(),
        originalChars: z.number().int().nonnegative().optional(),
      }),
    )
    .max(50)
    .optional(),
  model: z.string().min(1).max(200).optional(),
  contextBudgetTokens: z.number().int().min(100).max(1_000_000).optional(),
});

export function chatRouter(ctx: AppContext): Router {
  const r = Router();
  r.post("/api/chat", async (req, res, next) => {
    let body: ChatRequest;
    try {
      body = parseBody(ChatRequestSchema, req.body);
    } catch (err) {
      next(err);
      return;
    }
    // Stop in the panel closes the HTTP request; this aborts the upstream call with it.
    await streamEvents<ChatEvent>(res, next, (signal) => runChat(ctx.llm, body, signal), (error) => ({ type: "error", error }));
  });
  return r;
}
